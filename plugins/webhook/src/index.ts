import { definePlugin } from '@weft/plugin-sdk';
import { destination } from './destination.js';
import { source } from './source.js';
import { version } from './version.js';

export { destination, destinationConfigSchema, buildWebhookRequest, buildMergeRequest, batchIdempotencyKey, type DestinationConfig } from './destination.js';
export { source, sourceConfigSchema, eventsFromBody, type SourceConfig } from './source.js';
export {
  verifyWebhookSignature,
  signWebhookPayload,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  type VerifyWebhookSignatureOptions,
  type VerifyWebhookSignatureResult,
} from './signature.js';

export default definePlugin({
  id: 'webhook',
  version,
  sdk: '^0.1.0',
  description: 'Signed JSON webhooks in and out: POST events to any URL, receive events from any sender',
  components: { destination, source },
});
