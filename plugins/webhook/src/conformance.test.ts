import { runConformance } from '@weft/plugin-sdk/testing';
import plugin, { signWebhookPayload } from './index.js';

const signingSecret = 'whsec-conformance-secret';
const events = [
  { type: 'track' as const, event: 'Signed Up', userId: 'u1' },
  { type: 'identify' as const, userId: 'u1', traits: { email: 'a@example.com' } },
  { type: 'page' as const, name: 'Home', anonymousId: 'a1' },
];

runConformance(plugin, {
  components: {
    destination: {
      config: (vendorUrl) => ({ url: `${vendorUrl}/in`, signingSecret, authorization: 'Bearer conformance-token' }),
      events,
    },
    source: {
      config: { signingSecret },
      validRequest: (config) => {
        const body = JSON.stringify({ batch: events });
        const timestamp = Math.floor(Date.now() / 1000);
        const signature = signWebhookPayload({ secret: config.signingSecret as string, timestamp, body });
        return { method: 'POST', headers: { 'weft-timestamp': String(timestamp), 'weft-signature': signature }, body };
      },
    },
  },
});
