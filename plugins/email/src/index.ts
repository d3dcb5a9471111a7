import { definePlugin } from '@weft/plugin-sdk';
import { sendgrid } from './sendgrid.js';
import { sendgridEvents } from './sendgrid-events.js';
import { smtp } from './smtp.js';
import { version } from './version.js';

export { smtp, smtpConfigSchema, renderMessage, type SmtpConfig } from './smtp.js';
export { sendgrid, sendgridConfigSchema, buildMailSend, MAX_PERSONALIZATIONS, type SendgridConfig } from './sendgrid.js';
export { sendgridEvents, sendgridEventsConfigSchema, toTrackEvent, eventNames, type SendgridEventsConfig, type SendgridEventType } from './sendgrid-events.js';
export {
  verifyEventWebhookSignature,
  readVerificationKey,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  type VerifyEventWebhookOptions,
  type VerifyEventWebhookResult,
} from './event-webhook-signature.js';
export { smtpError } from './smtp-errors.js';
export { compileTemplate, templateProblem, type Template, type TemplateFormat } from './template.js';
export { messageFromEvent, messagePayloadSchema, type MessagePayload } from './message.js';

export default definePlugin({
  id: 'email',
  version,
  sdk: '^0.1.0',
  description: 'Email: send through SMTP or SendGrid, receive SendGrid delivery and engagement events',
  components: { smtp, sendgrid, 'sendgrid-events': sendgridEvents },
});
