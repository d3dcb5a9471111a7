// The twilio destination driven through a real Weft pipeline on PostgreSQL: identifies with a
// phone trait are ingested, the pipeline worker routes them, the delivery manager sends them to the
// fake Twilio Messages API, which checks HTTP Basic auth and throttles with 429 / 20429 as Twilio does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInputSchema, toWeftEvent } from '@weft/plugin-sdk';
import { startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import type { TestRuntime } from '../../../core/test-support/index.js';
import { startDestinationPipeline, type DestinationPipeline } from '../../../core/test-support/destination-pipeline.js';
import { deliveryRows, waitUntil } from '../../../core/test/engine-support.js';
import { twilioFake, type TwilioFake } from './fakes/twilio.js';

const accountSid = `AC${'e2'.repeat(16)}`;
const authToken = 'twilio-e2e-token-0123456789';
const identify = (userId: string, phone: string, otp: string) =>
  toWeftEvent(eventInputSchema.parse({ type: 'identify', userId, messageId: `identify-${userId}`, traits: { phone, firstName: userId, otp } }));

describe('twilio sms through a Weft pipeline', () => {
  let test: TestRuntime;
  let ingest: DestinationPipeline['ingest'];
  let worker: DestinationPipeline['worker'];
  let pipeline: DestinationPipeline;
  let vendor: FakeServer;
  let twilio: TwilioFake;

  beforeAll(async () => {
    twilio = twilioFake({ accountSid, authToken, from: ['+15005550006'] });
    vendor = await startFakeServer(twilio.handler);
    pipeline = await startDestinationPipeline({
      pipeline: 'otp-sms',
      actions: ['sendSms'],
      destination: {
        id: 'sms-twilio',
        plugin: 'sms',
        component: 'twilio',
        config: { accountSid, authToken, from: '+15005550006', body: 'Hi {{firstName}}, your code is {{otp}}', endpoint: vendor.url },
        settings: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 } },
      },
    });
    ({ test, ingest, worker } = pipeline);
  });

  afterAll(async () => {
    await vendor?.close();
    await pipeline?.close();
  });

  it('delivers the rendered body to the E.164 number with basic auth', async () => {
    await ingest.write('app', [identify('ada', '(415) 555-2671', '246810')]);
    await worker.processBatch();

    await vendor.waitForRequests(1, 10_000);
    const [row] = await waitUntil('the SMS delivery to settle', async () => {
      const rows = await deliveryRows(test, 'sms-twilio');
      return rows.length === 1 && rows[0]!.status !== 'pending' ? rows : undefined;
    });
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, payload: { phone: '(415) 555-2671' } });

    expect(twilio.sent).toEqual([{ to: '+14155552671', from: '+15005550006', body: 'Hi ada, your code is 246810' }]);
    expect(vendor.requests[0]).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${accountSid}/Messages.json`,
      headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
    });
  });

  it('retries a message Twilio throttles (429 / 20429) no sooner than its Retry-After, then delivers it', async () => {
    twilio.throttleNext(1, 1);
    await ingest.write('app', [identify('bob', '+1 415 555 2672', '135790')]);
    await worker.processBatch();

    const row = await waitUntil('the throttled SMS to be delivered', async () => {
      const found = (await deliveryRows(test, 'sms-twilio')).find((candidate) => candidate.message_id === 'identify-bob');
      return found?.status === 'delivered' ? found : undefined;
    });
    expect(row.attempts).toBe(2);
    const [throttled] = row.history;
    expect(throttled).toMatchObject({ outcome: 'retry', error: expect.stringContaining('error 20429 (Too Many Requests)') });
    expect(Date.parse(throttled!.nextAttemptAt!) - Date.parse(throttled!.at)).toBeGreaterThanOrEqual(1_000);
    expect(twilio.sent.slice(1)).toEqual([{ to: '+14155552672', from: '+15005550006', body: 'Hi bob, your code is 135790' }]);
  });
});
