// The aliyun destination driven through a real Weft pipeline on PostgreSQL: an identify with a
// phone trait is ingested, the pipeline worker routes it, the delivery manager sends it to the
// fake Dysms, which checks the signature with the secret as Aliyun does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInputSchema, toWeftEvent } from '@weft/plugin-sdk';
import { startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import type { TestRuntime } from '../../../core/test-support/index.js';
import { startDestinationPipeline, type DestinationPipeline } from '../../../core/test-support/destination-pipeline.js';
import { deliveryRows, waitUntil } from '../../../core/test/engine-support.js';
import { signAliyunRequest } from '../src/aliyun/signature.js';
import { aliyunFake, type AliyunFake } from './fakes/aliyun.js';

const accessKeyId = 'LTAI-e2e';
const accessKeySecret = 'aliyun-e2e-secret-0123456789';

describe('sms through a Weft pipeline', () => {
  let test: TestRuntime;
  let ingest: DestinationPipeline['ingest'];
  let worker: DestinationPipeline['worker'];
  let pipeline: DestinationPipeline;
  let vendor: FakeServer;
  let aliyun: AliyunFake;

  beforeAll(async () => {
    aliyun = aliyunFake({ accounts: { [accessKeyId]: accessKeySecret }, templates: { SMS_200001: { variables: ['name', 'code'] } }, illegalNumbers: ['13900139000'] });
    vendor = await startFakeServer(aliyun.handler);
    pipeline = await startDestinationPipeline({
      pipeline: 'welcome-sms',
      actions: ['sendSms'],
      destination: {
        id: 'sms-cn',
        plugin: 'sms',
        component: 'aliyun',
        config: { accessKeyId, accessKeySecret, signName: 'Weft', templateCode: 'SMS_200001', templateParams: { name: 'firstName', code: 'otp' }, endpoint: vendor.url },
        settings: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 } },
      },
    });
    ({ test, ingest, worker } = pipeline);
  });

  afterAll(async () => {
    await vendor?.close();
    await pipeline?.close();
  });

  it('delivers a correctly signed SendSms with the normalised number and the template values from the traits', async () => {
    const event = toWeftEvent(eventInputSchema.parse({ type: 'identify', userId: 'ada', messageId: 'identify-ada-1', traits: { phone: '+86 138-0013-8000', firstName: 'Ada', otp: '246810' } }));
    await ingest.write('app', [event]);
    await worker.processBatch();

    await vendor.waitForRequests(1, 10_000);
    const [row] = await waitUntil('the SMS delivery to settle', async () => {
      const rows = await deliveryRows(test, 'sms-cn');
      return rows.length === 1 && rows[0]!.status !== 'pending' ? rows : undefined;
    });
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, payload: { phone: '+86 138-0013-8000' } });

    expect(aliyun.sent).toEqual([{ action: 'SendSms', phone: '13800138000', signName: 'Weft', templateCode: 'SMS_200001', params: { name: 'Ada', code: '246810' } }]);
    const call = aliyun.calls.find((params) => params['Action'] === 'SendSms')!;
    const { Signature: signature, ...signed } = call;
    expect(signature).toBe(signAliyunRequest('POST', signed, accessKeySecret));
    expect(call).toMatchObject({ AccessKeyId: accessKeyId, PhoneNumbers: '13800138000', OutId: 'identify-ada-1' });
    expect(JSON.parse(call['TemplateParam']!)).toEqual({ name: 'Ada', code: '246810' });
  });

  it('dead-letters only the number Aliyun refuses and delivers the others', async () => {
    const people = [
      { userId: 'bob', phone: '13700137000' },
      { userId: 'eve', phone: '13900139000' },
      { userId: 'joy', phone: '+852 5123 4567' },
    ];
    const events = people.map(({ userId, phone }) =>
      toWeftEvent(eventInputSchema.parse({ type: 'identify', userId, messageId: `identify-${userId}`, traits: { phone, firstName: userId, otp: '111222' } })),
    );
    await ingest.write('app', events);
    await worker.processBatch();

    const rows = await waitUntil('the three SMS deliveries to settle', async () => {
      const list = (await deliveryRows(test, 'sms-cn')).filter((row) => row.message_id !== 'identify-ada-1');
      return list.length === 3 && list.every((row) => row.status !== 'pending') ? list : undefined;
    });
    expect(rows.map((row) => [row.message_id, row.status])).toEqual([
      ['identify-bob', 'delivered'],
      ['identify-eve', 'dead'],
      ['identify-joy', 'delivered'],
    ]);
    expect(rows[1]!.last_error).toContain('isv.MOBILE_NUMBER_ILLEGAL');
    expect(aliyun.sent.slice(1).map((sms) => sms.phone).sort()).toEqual(['13700137000', '85251234567']);
  });
});
