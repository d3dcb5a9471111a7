import { describe, expect, it } from 'vitest';
import { createHarness } from '@weft/plugin-sdk/testing';
import plugin from './index.js';
import { createEventWebhookSigner } from '../test/sign-event-webhook.js';

const signer = createEventWebhookSigner();
const harness = createHarness(plugin);
const source = () => harness.source('sendgrid-events', { config: { publicKey: signer.publicKey } });

const base = { email: 'ada@example.com', timestamp: 1_767_225_600, sg_message_id: 'msg-1.filter0001', 'smtp-id': '<msg-1@sendgrid.net>' };

async function receive(records: unknown[]) {
  return source().handle(signer.request(JSON.stringify(records)));
}

describe('sendgrid-events source', () => {
  it.each([
    ['delivered', 'Email Delivered', { response: '250 OK' }],
    ['open', 'Email Opened', { useragent: 'Mozilla/5.0', ip: '203.0.113.9', sg_machine_open: false }],
    ['click', 'Email Link Clicked', { url: 'https://acme.example/pricing', url_offset: { index: 0, type: 'html' } }],
    ['bounce', 'Email Bounced', { reason: '550 5.1.1 mailbox unavailable', status: '5.1.1', type: 'bounce' }],
    ['dropped', 'Email Dropped', { reason: 'Bounced Address' }],
    ['spamreport', 'Email Marked as Spam', {}],
    ['unsubscribe', 'Email Unsubscribed', {}],
    ['group_unsubscribe', 'Email Unsubscribed', { asm_group_id: 42 }],
  ])('turns a %s event into an %s track event with the recipient in context.traits', async (type, name, extra) => {
    const run = await receive([{ ...base, event: type, sg_event_id: `ev-${type}`, ...extra }]);
    expect(run.invalid).toEqual([]);
    expect(run.events).toEqual([
      {
        type: 'track',
        event: name,
        messageId: `sendgrid:ev-${type}`,
        anonymousId: expect.stringMatching(/^sendgrid:[0-9a-f]{32}$/),
        timestamp: '2026-01-01T00:00:00.000Z',
        context: { traits: { email: 'ada@example.com' }, integration: { name: 'sendgrid' } },
        properties: { sendgrid_event: type, sg_message_id: 'msg-1.filter0001', 'smtp-id': '<msg-1@sendgrid.net>', ...extra },
      },
    ]);
  });

  it('gives the same event id the same messageId, so a redelivery is counted once', async () => {
    const record = { ...base, event: 'open', sg_event_id: 'ev-same' };
    const [first, second] = [await receive([record]), await receive([record])];
    expect(first.events[0]!.messageId).toBe(second.events[0]!.messageId);
  });

  it('uses the weft_user_id custom arg the sendgrid destination sets as the userId', async () => {
    const run = await receive([{ ...base, event: 'delivered', sg_event_id: 'ev-u', weft_user_id: 'u-42', weft_message_id: 'm-1' }]);
    expect(run.events[0]).toMatchObject({ userId: 'u-42', properties: { weft_message_id: 'm-1' } });
    expect(run.events[0]).not.toHaveProperty('anonymousId');
  });

  it('acknowledges and drops event types it is not configured to ingest', async () => {
    const run = await receive([
      { ...base, event: 'processed', sg_event_id: 'ev-p' },
      { ...base, event: 'deferred', sg_event_id: 'ev-d' },
      { ...base, event: 'delivered', sg_event_id: 'ev-ok' },
    ]);
    expect(run.response.status).toBe(200);
    expect(run.events.map((event) => event.event)).toEqual(['Email Delivered']);
  });

  it('rejects a body signed with another key (the host answers 401)', async () => {
    const other = createEventWebhookSigner();
    await expect(source().handle(other.request(JSON.stringify([{ ...base, event: 'open', sg_event_id: 'ev-x' }])))).rejects.toMatchObject({
      kind: 'auth',
      message: 'SendGrid Event Webhook signature rejected: the signature does not match the body',
    });
  });

  it('rejects a signed body that was changed on the way', async () => {
    const request = signer.request(JSON.stringify([{ ...base, event: 'open', sg_event_id: 'ev-y' }]));
    await expect(source().handle({ ...request, body: request.body.replace('open', 'click') })).rejects.toMatchObject({ kind: 'auth' });
  });

  it('rejects a correctly signed request older than the replay window', async () => {
    const stale = signer.request(JSON.stringify([{ ...base, event: 'open', sg_event_id: 'ev-z' }]), Math.floor(Date.now() / 1000) - 301);
    await expect(source().handle(stale)).rejects.toMatchObject({ kind: 'auth', message: expect.stringContaining('outside the 300 s window') });
  });

  it('rejects a request without the signature headers', async () => {
    await expect(source().handle({ method: 'POST', body: '[]' })).rejects.toMatchObject({ kind: 'auth', message: expect.stringContaining('header is missing') });
  });

  it('rejects a signed body that is not an array of events', async () => {
    await expect(receive({ event: 'open' } as unknown as unknown[])).rejects.toMatchObject({ kind: 'validation' });
  });

  it('refuses a config whose publicKey is not an ECDSA P-256 key', () => {
    expect(() => harness.source('sendgrid-events', { config: { publicKey: 'bm90IGEga2V5' } })).toThrow(/publicKey/);
  });
});
