// The tencent-cloud destination driven through a real Weft pipeline on PostgreSQL: identifies with
// a phone trait are ingested, the pipeline worker routes them, the delivery manager sends them to
// the fake Tencent Cloud SMS, which checks the TC3-HMAC-SHA256 signature with the SecretKey.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInputSchema, toWeftEvent } from '@weft/plugin-sdk';
import { startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import type { TestRuntime } from '../../../core/test-support/index.js';
import { startDestinationPipeline, type DestinationPipeline } from '../../../core/test-support/destination-pipeline.js';
import { deliveryRows, waitUntil } from '../../../core/test/engine-support.js';
import { signTc3 } from '../src/tencent/signature.js';
import { tencentFake, type TencentFake } from './fakes/tencent.js';

const secretId = 'AKID-e2e';
const secretKey = 'tencent-e2e-secret-0123456789';
const identify = (userId: string, phone: string, otp: string) =>
  toWeftEvent(eventInputSchema.parse({ type: 'identify', userId, messageId: `identify-${userId}`, traits: { phone, otp } }));

describe('tencent-cloud sms through a Weft pipeline', () => {
  let test: TestRuntime;
  let ingest: DestinationPipeline['ingest'];
  let worker: DestinationPipeline['worker'];
  let pipeline: DestinationPipeline;
  let vendor: FakeServer;
  let tencent: TencentFake;

  beforeAll(async () => {
    tencent = tencentFake({ accounts: { [secretId]: secretKey }, templates: { '100001': { variables: 1 } }, incorrectNumbers: ['+8613900139000'] });
    vendor = await startFakeServer(tencent.handler);
    pipeline = await startDestinationPipeline({
      pipeline: 'otp-sms',
      actions: ['sendSms'],
      destination: {
        id: 'sms-tencent',
        plugin: 'sms',
        component: 'tencent-cloud',
        config: { secretId, secretKey, sdkAppId: '1400000001', signName: 'Weft', templateId: '100001', templateParams: ['otp'], endpoint: vendor.url },
        settings: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 } },
      },
    });
    ({ test, ingest, worker } = pipeline);
  });

  afterAll(async () => {
    await vendor?.close();
    await pipeline?.close();
  });

  it('delivers a correctly signed SendSms with the E.164 number and the template value from the traits', async () => {
    await ingest.write('app', [identify('ada', '138 0013 8000', '246810')]);
    await worker.processBatch();

    await vendor.waitForRequests(1, 10_000);
    const [row] = await waitUntil('the SMS delivery to settle', async () => {
      const rows = await deliveryRows(test, 'sms-tencent');
      return rows.length === 1 && rows[0]!.status !== 'pending' ? rows : undefined;
    });
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, payload: { phone: '138 0013 8000' } });

    expect(tencent.sent).toEqual([{ phone: '+8613800138000', templateId: '100001', params: ['246810'] }]);
    expect(tencent.calls).toEqual([
      { PhoneNumberSet: ['+8613800138000'], SmsSdkAppId: '1400000001', SignName: 'Weft', TemplateId: '100001', TemplateParamSet: ['246810'], SessionContext: 'identify-ada' },
    ]);
    const request = vendor.requests[0]!;
    expect(request.headers).toMatchObject({ 'x-tc-action': 'SendSms', 'x-tc-version': '2021-01-11', 'x-tc-region': 'ap-guangzhou' });
    const expected = signTc3({
      secretId,
      secretKey,
      host: request.headers['host']!,
      service: 'sms',
      timestamp: Number(request.headers['x-tc-timestamp']),
      contentType: request.headers['content-type']!,
      payload: request.body,
    });
    expect(request.headers['authorization']).toBe(expected.authorization);
  });

  it('dead-letters only the number Tencent refuses in a batch and delivers the others', async () => {
    await ingest.write('app', [identify('bob', '13700137000', '111222'), identify('eve', '13900139000', '111222'), identify('joy', '+852 5123 4567', '111222')]);
    await worker.processBatch();

    const rows = await waitUntil('the three SMS deliveries to settle', async () => {
      const list = (await deliveryRows(test, 'sms-tencent')).filter((row) => row.message_id !== 'identify-ada');
      return list.length === 3 && list.every((row) => row.status !== 'pending') ? list : undefined;
    });
    expect(rows.map((row) => [row.message_id, row.status, row.attempts])).toEqual([
      ['identify-bob', 'delivered', 1],
      ['identify-eve', 'dead', 1],
      ['identify-joy', 'delivered', 1],
    ]);
    expect(rows[1]!.last_error).toBe('Tencent Cloud SMS refused +8613900139000: InvalidParameterValue.IncorrectPhoneNumber (invalid mobile number)');
    // One SendSms for the three numbers: they share their template values.
    expect(tencent.calls.slice(1).map((call) => call['PhoneNumberSet'])).toEqual([['+8613700137000', '+8613900139000', '+85251234567']]);
    expect(tencent.sent.slice(1).map((sms) => sms.phone)).toEqual(['+8613700137000', '+85251234567']);
  });
});
