import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import plugin from '../index.js';
import { tencentFake, type TencentFake } from '../../test/fakes/tencent.js';

const secretKey = 'tencent-secret-key-0123456789';
const config = (endpoint: string, overrides: Record<string, unknown> = {}) => ({
  secretId: 'AKID-weft-test',
  secretKey,
  sdkAppId: '1400000001',
  signName: 'Weft',
  templateId: '100001',
  templateParams: ['otp'],
  endpoint,
  ...overrides,
});
const identify = (phone: string, otp = '123456') => ({ type: 'identify' as const, userId: `u-${phone}`, traits: { phone, otp } });

const harness = createHarness(plugin);
let vendor: FakeServer;
let tencent: TencentFake;

async function startTencent(options: Parameters<typeof tencentFake>[0] = {}) {
  tencent = tencentFake({ accounts: { 'AKID-weft-test': secretKey }, ...options });
  vendor = await startFakeServer(tencent.handler);
  return harness.destination('tencent-cloud', { config: config(vendor.url) });
}

afterEach(async () => {
  await vendor?.close();
});

describe('tencent-cloud destination', () => {
  it('sends a correctly signed SendSms with +86 numbers and the template values in order', async () => {
    const destination = await startTencent();
    const run = await destination.send('sendSms', [identify('138 0013 8000', '246810')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok']);
    expect(vendor.requests[0]!.headers).toMatchObject({ 'x-tc-action': 'SendSms', 'x-tc-version': '2021-01-11', 'x-tc-region': 'ap-guangzhou' });
    expect(tencent.calls[0]).toMatchObject({ PhoneNumberSet: ['+8613800138000'], SmsSdkAppId: '1400000001', SignName: 'Weft', TemplateId: '100001', TemplateParamSet: ['246810'] });
    expect(tencent.sent).toEqual([{ phone: '+8613800138000', templateId: '100001', params: ['246810'] }]);
  });

  it('sends numbers sharing template values in one call, and other values in another', async () => {
    const destination = await startTencent();
    const run = await destination.send('sendSms', [identify('13800138000', '1'), identify('13900139000', '1'), identify('+852 5123 4567', '2')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'ok', 'ok']);
    expect(tencent.calls.map((call) => call['PhoneNumberSet'])).toEqual([['+8613800138000', '+8613900139000'], ['+85251234567']]);
  });

  it('never puts more than 200 numbers in one call', async () => {
    const destination = await startTencent();
    const events = Array.from({ length: 201 }, (_, index) => identify(`+86 138 ${String(index).padStart(4, '0')} 0000`));
    const run = await destination.send('sendSms', events);
    expect(run.results.every((result) => result.status === 'ok')).toBe(true);
    expect(tencent.calls.map((call) => (call['PhoneNumberSet'] as string[]).length)).toEqual([200, 1]);
  });

  it('fails only the number Tencent refuses, from its SendStatusSet', async () => {
    const destination = await startTencent({ incorrectNumbers: ['+8613900139000'] });
    const run = await destination.send('sendSms', [identify('13800138000'), identify('13900139000'), identify('13700137000')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'fail', 'ok']);
    expect(run.results[1]).toMatchObject({ reason: 'Tencent Cloud SMS refused +8613900139000: InvalidParameterValue.IncorrectPhoneNumber (invalid mobile number)' });
    expect(tencent.sent.map((sms) => sms.phone)).toEqual(['+8613800138000', '+8613700137000']);
  });

  it('retries numbers Tencent rate-limits, and sends them on the next attempt', async () => {
    const destination = await startTencent();
    tencent.throttleNext(1);
    const first = await destination.send('sendSms', [identify('13800138000')]);
    expect(first.results[0]).toMatchObject({ status: 'retry', retryAfterMs: 60_000, reason: expect.stringContaining('LimitExceeded.PhoneNumberThirtySecondLimit') });
    const second = await destination.send('sendSms', [identify('13800138000')], { attempt: 2 });
    expect(second.results[0]).toMatchObject({ status: 'ok' });
  });

  it('pauses the connector when Tencent refuses the signature', async () => {
    await startTencent();
    const destination = harness.destination('tencent-cloud', { config: config(vendor.url, { secretKey: 'not-the-key-000000' }) });
    const run = await destination.send('sendSms', [identify('13800138000')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining('AuthFailure.SignatureFailure') });
    expect(tencent.sent).toHaveLength(0);
  });
});

describe('tencent-cloud check()', () => {
  it('passes with good credentials and an approved template', async () => {
    await startTencent();
    expect(await harness.check('tencent-cloud', config(vendor.url))).toMatchObject({ ok: true });
  });

  it('reports bad credentials in one line', async () => {
    await startTencent();
    const outcome = await harness.check('tencent-cloud', config(vendor.url, { secretId: 'AKID-nobody' }));
    expect(outcome).toMatchObject({
      ok: false,
      kind: 'auth',
      message: 'Tencent Cloud SMS refused DescribeSmsTemplateList: AuthFailure.SecretIdNotFound (The SecretId is not found, please ensure that your SecretId is correct.); check secretId, secretKey and sdkAppId',
    });
  });

  it('reports an unreachable endpoint in one line', async () => {
    await startTencent();
    await vendor.close();
    const outcome = await harness.check('tencent-cloud', config(vendor.url));
    expect(outcome.ok === false && outcome.message).toMatch(/^could not reach Tencent Cloud SMS at 127\.0\.0\.1:\d+: the connection was refused \(nothing listens on that port\) \(ECONNREFUSED\)$/);
  });
});
