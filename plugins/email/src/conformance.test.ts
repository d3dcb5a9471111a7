import { describe, it } from 'vitest';
import { conformanceCases } from '@weft/plugin-sdk/testing';
import plugin from './index.js';
import { createEventWebhookSigner } from '../test/sign-event-webhook.js';

const signer = createEventWebhookSigner();
const events = [
  { type: 'identify' as const, userId: 'u1', traits: { email: 'ada@example.com', firstName: 'Ada' } },
  { type: 'track' as const, event: 'Trial Ending', userId: 'u2', context: { traits: { email: 'bob@example.com' } } },
];

const cases = conformanceCases(plugin, {
  components: {
    // SMTP is not HTTP: the suite's fake vendor cannot play a relay. smtp.test.ts holds the same
    // requirements against a real SMTP server (4xx retried, 5xx failed per item, 535 pauses,
    // the password never shown, check() in one line).
    smtp: { config: {} },
    sendgrid: {
      config: (vendorUrl) => ({ apiKey: 'SG.conformance-key.0123456789', baseUrl: vendorUrl, from: { email: 'hello@acme.test' }, templateId: 'd-0123456789abcdef0123456789abcdef' }),
      vendor: { 'GET /v3/scopes': { json: { scopes: ['mail.send'] } }, 'POST /v3/mail/send': { status: 202, body: '' } },
      events,
    },
    'sendgrid-events': {
      config: { publicKey: signer.publicKey },
      validRequest: () => signer.request(JSON.stringify([{ email: 'ada@example.com', event: 'delivered', sg_event_id: 'ev-1', sg_message_id: 'm-1', timestamp: 1_767_225_600 }])),
      malformedRequests: () => [signer.request('{"event":"open"}'), signer.request('[{"event":"open"'), signer.request('[1, 2]')],
    },
  },
});

// Registered the way runConformance registers them, less the smtp component's HTTP-vendor cases.
const bySubject = new Map<string, typeof cases>();
for (const conformanceCase of cases) {
  if (conformanceCase.subject.startsWith(`${plugin.id}/smtp`)) continue;
  bySubject.set(conformanceCase.subject, [...(bySubject.get(conformanceCase.subject) ?? []), conformanceCase]);
}
for (const [subject, list] of bySubject) {
  describe(`conformance: ${subject}`, () => {
    for (const conformanceCase of list) it(conformanceCase.title, () => conformanceCase.run());
  });
}
