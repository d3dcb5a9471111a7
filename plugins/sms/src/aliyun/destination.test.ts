import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import plugin from '../index.js';
import { aliyunFake, type AliyunFake } from '../../test/fakes/aliyun.js';

const accessKeySecret = 'aliyun-secret-0123456789';
const config = (endpoint: string, overrides: Record<string, unknown> = {}) => ({
  accessKeyId: 'LTAI-weft-test',
  accessKeySecret,
  signName: 'Weft',
  templateCode: 'SMS_100001',
  templateParams: { code: 'otp' },
  endpoint,
  ...overrides,
});
const identify = (phone: string, otp = '123456') => ({ type: 'identify' as const, userId: `u-${phone}`, traits: { phone, otp } });

const harness = createHarness(plugin);
let vendor: FakeServer;
let aliyun: AliyunFake;

async function startAliyun(options: Parameters<typeof aliyunFake>[0] = {}) {
  aliyun = aliyunFake({ accounts: { 'LTAI-weft-test': accessKeySecret }, ...options });
  vendor = await startFakeServer(aliyun.handler);
  return harness.destination('aliyun', { config: config(vendor.url) });
}

afterEach(async () => {
  await vendor?.close();
});

describe('aliyun destination', () => {
  it('sends one SMS with a signed SendSms, the mainland number without +86 and the template values from traits', async () => {
    const destination = await startAliyun();
    const run = await destination.send('sendSms', [identify('+86 138 0013 8000', '246810')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok']);
    expect(aliyun.calls[0]).toMatchObject({ Action: 'SendSms', PhoneNumbers: '13800138000', TemplateParam: '{"code":"246810"}', SignName: 'Weft' });
    expect(aliyun.sent).toEqual([{ action: 'SendSms', phone: '13800138000', signName: 'Weft', templateCode: 'SMS_100001', params: { code: '246810' } }]);
  });

  it('sends a batch with one SendBatchSms, writing other countries as country code and number without +', async () => {
    const destination = await startAliyun();
    const run = await destination.send('sendSms', [identify('13800138000', '1'), identify('+852 5123 4567', '2'), identify('139 0013 9000', '3')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'ok', 'ok']);
    expect(vendor.requests).toHaveLength(1);
    expect(aliyun.sent.map(({ action, phone, params }) => [action, phone, params['code']])).toEqual([
      ['SendBatchSms', '13800138000', '1'],
      ['SendBatchSms', '85251234567', '2'],
      ['SendBatchSms', '13900139000', '3'],
    ]);
  });

  it('fails only the number Aliyun refuses in a batch, and still sends the others', async () => {
    const destination = await startAliyun({ illegalNumbers: ['13900139000'] });
    const run = await destination.send('sendSms', [identify('13800138000'), identify('13900139000'), identify('13700137000')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'fail', 'ok']);
    expect(run.results[1]).toMatchObject({ reason: expect.stringContaining('isv.MOBILE_NUMBER_ILLEGAL') });
    expect(aliyun.sent.map((sms) => sms.phone)).toEqual(['13800138000', '13700137000']);
  });

  it('fails a number that is not a phone number without calling Aliyun for it', async () => {
    const destination = await startAliyun();
    const run = await destination.send('sendSms', [identify('12345'), identify('13800138000')]);
    expect(run.results.map((result) => result.status)).toEqual(['fail', 'ok']);
    expect(run.results[0]).toMatchObject({ reason: "'12345' is not a valid phone number (read with default region CN)" });
    expect(aliyun.calls.map((call) => call['Action'])).toEqual(['SendSms']);
  });

  it('fails an item whose template value is missing', async () => {
    const destination = await startAliyun();
    const run = await destination.send('sendSms', [{ type: 'identify', userId: 'u1', traits: { phone: '13800138000' } }]);
    expect(run.results[0]).toMatchObject({ status: 'fail', reason: "template parameter 'code' needs the value 'otp', which the event does not have (or is not text)" });
    expect(vendor.requests).toHaveLength(0);
  });

  it.each(['isv.BUSINESS_LIMIT_CONTROL', 'Throttling.User'])('retries later when Aliyun answers %s, and sends on the next attempt', async (code) => {
    const destination = await startAliyun();
    aliyun.throttleNext(1, code);
    const first = await destination.send('sendSms', [identify('13800138000'), identify('13900139000')]);
    expect(first.results.map((result) => result.status)).toEqual(['retry', 'retry']);
    expect(first.results[0]).toMatchObject({ retryAfterMs: 60_000, reason: expect.stringContaining(code) });
    const second = await destination.send('sendSms', [identify('13800138000'), identify('13900139000')], { attempt: 2 });
    expect(second.results.map((result) => result.status)).toEqual(['ok', 'ok']);
    expect(aliyun.sent).toHaveLength(2);
  });

  it('pauses the connector when Aliyun refuses the signature', async () => {
    await startAliyun();
    const destination = harness.destination('aliyun', { config: config(vendor.url, { accessKeySecret: 'not-the-secret-0000' }) });
    const run = await destination.send('sendSms', [identify('13800138000')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining('SignatureDoesNotMatch') });
    expect(aliyun.sent).toHaveLength(0);
  });

  it('pauses the connector when the AccessKey id is unknown', async () => {
    await startAliyun();
    const destination = harness.destination('aliyun', { config: config(vendor.url, { accessKeyId: 'LTAI-nobody' }) });
    const run = await destination.send('sendSms', [identify('13800138000')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining('InvalidAccessKeyId.NotFound') });
  });
});

describe('aliyun check()', () => {
  it('passes with good credentials and an approved template', async () => {
    await startAliyun();
    expect(await harness.check('aliyun', config(vendor.url))).toMatchObject({ ok: true });
  });

  it('reports bad credentials in one line', async () => {
    await startAliyun();
    const outcome = await harness.check('aliyun', config(vendor.url, { accessKeySecret: 'not-the-secret-0000' }));
    expect(outcome).toMatchObject({ ok: false, kind: 'auth' });
    expect(outcome.ok === false && outcome.message).toBe(
      'Aliyun SMS refused QuerySmsTemplate: SignatureDoesNotMatch (Specified signature is not matched with our calculation.); check accessKeyId and accessKeySecret',
    );
  });

  it('reports a template still under review', async () => {
    await startAliyun({ templates: { SMS_100001: { variables: ['code'], status: 0 } } });
    const outcome = await harness.check('aliyun', config(vendor.url));
    expect(outcome).toMatchObject({ ok: false, kind: 'config', message: 'Aliyun SMS template SMS_100001 is still under review; it must be approved before messages can be sent' });
  });

  it('reports an unreachable endpoint in one line', async () => {
    await startAliyun();
    await vendor.close();
    const outcome = await harness.check('aliyun', config(vendor.url));
    expect(outcome).toMatchObject({ ok: false, kind: 'transient' });
    expect(outcome.ok === false && outcome.message).toMatch(/^could not reach Aliyun SMS at 127\.0\.0\.1:\d+: the connection was refused \(nothing listens on that port\) \(ECONNREFUSED\)$/);
  });
});
