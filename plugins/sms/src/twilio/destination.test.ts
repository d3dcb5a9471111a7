import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import plugin from '../index.js';
import { twilioFake, type TwilioFake } from '../../test/fakes/twilio.js';

const accountSid = `AC${'a1'.repeat(16)}`;
const authToken = 'twilio-auth-token-0123456789';
const config = (endpoint: string, overrides: Record<string, unknown> = {}) => ({
  accountSid,
  authToken,
  from: '+15005550006',
  body: 'Hi {{firstName}}, your order {{orderId}} has shipped',
  endpoint,
  ...overrides,
});
const track = (phone: string, orderId = 'o-1') => ({ type: 'track' as const, event: 'Order Shipped', userId: `u-${phone}`, context: { traits: { phone, firstName: 'Ada' } }, properties: { orderId } });

const harness = createHarness(plugin);
let vendor: FakeServer;
let twilio: TwilioFake;

async function startTwilio(options: Partial<Parameters<typeof twilioFake>[0]> = {}) {
  twilio = twilioFake({ accountSid, authToken, ...options });
  vendor = await startFakeServer(twilio.handler);
  return harness.destination('twilio', { config: config(vendor.url, { statusCallback: 'https://weft.example.com/hooks/sms-twilio/status' }) });
}

afterEach(async () => {
  await vendor?.close();
});

describe('twilio destination', () => {
  it('posts the rendered body to the E.164 number with basic auth', async () => {
    const destination = await startTwilio();
    const run = await destination.send('sendSms', [track('(415) 555-2671', 'o-42')]);
    expect(run.results[0]).toMatchObject({ status: 'ok', response: { sid: expect.stringMatching(/^SM/), status: 'queued' } });
    expect(twilio.sent).toEqual([
      { to: '+14155552671', from: '+15005550006', body: 'Hi Ada, your order o-42 has shipped', statusCallback: 'https://weft.example.com/hooks/sms-twilio/status' },
    ]);
  });

  it('fails only the message whose To Twilio refuses (21211)', async () => {
    const destination = await startTwilio({ invalidNumbers: ['+14155552672'] });
    const run = await destination.send('sendSms', [track('+14155552671'), track('+14155552672'), track('+14155552673')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'fail', 'ok']);
    expect(run.results[1]).toMatchObject({ reason: "Twilio refused the message to +14155552672: error 21211 (The 'To' number +14155552672 is not a valid phone number.)" });
  });

  it('retries after Retry-After when Twilio answers 429 / 20429, then sends', async () => {
    const destination = await startTwilio();
    twilio.throttleNext(1, 3);
    const first = await destination.send('sendSms', [track('+14155552671')]);
    expect(first.results[0]).toMatchObject({ status: 'retry', retryAfterMs: 3000, reason: expect.stringContaining('error 20429') });
    const second = await destination.send('sendSms', [track('+14155552671')], { attempt: 2 });
    expect(second.results[0]).toMatchObject({ status: 'ok' });
  });

  it('pauses the connector when Twilio refuses the auth token (20003)', async () => {
    await startTwilio();
    const destination = harness.destination('twilio', { config: config(vendor.url, { authToken: 'wrong-token-000000' }) });
    const run = await destination.send('sendSms', [track('+14155552671')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: 'Twilio refused the message to +14155552671: error 20003 (Authenticate); check accountSid and authToken' });
  });
});

describe('twilio check()', () => {
  it('passes with a good SID and token', async () => {
    await startTwilio();
    expect(await harness.check('twilio', config(vendor.url))).toMatchObject({ ok: true });
  });

  it('reports bad credentials in one line', async () => {
    await startTwilio();
    const outcome = await harness.check('twilio', config(vendor.url, { authToken: 'wrong-token-000000' }));
    expect(outcome).toMatchObject({ ok: false, kind: 'auth', message: 'Twilio refused the account lookup: error 20003 (Authenticate); check accountSid and authToken' });
  });

  it('reports an unreachable endpoint in one line', async () => {
    await startTwilio();
    await vendor.close();
    const outcome = await harness.check('twilio', config(vendor.url));
    expect(outcome.ok === false && outcome.message).toMatch(/^could not reach Twilio at 127\.0\.0\.1:\d+: the connection was refused \(nothing listens on that port\) \(ECONNREFUSED\)$/);
  });
});
