import { describe, expect, it } from 'vitest';
import { createHarness } from '@weft/plugin-sdk/testing';
import plugin from './index.js';
import { twilioSignature } from './twilio/signature.js';

const harness = createHarness(plugin, { connectorId: 'sms-in' });
const callbackToken = 'callback-token-0123456789';

describe('twilio-receipts source', () => {
  const authToken = 'twilio-auth-token-0123456789';
  const source = harness.source('twilio-receipts', { config: { authToken, publicUrl: 'https://weft.example.com' } });
  const signed = (params: Record<string, string>, path = '/status', token = authToken) => ({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(token, `https://weft.example.com/hooks/sms-in${path}`, params) },
    body: new URLSearchParams(params).toString(),
  });
  const status = (MessageStatus: string, extra: Record<string, string> = {}) => ({ MessageSid: 'SM0001', AccountSid: 'AC0001', From: '+15005550006', To: '+14155552671', MessageStatus, ...extra });

  it('turns a delivered status callback into SMS Delivered keyed on the recipient phone', async () => {
    const run = await source.handle(signed(status('delivered')));
    expect(run.events).toEqual([
      expect.objectContaining({
        type: 'track',
        event: 'SMS Delivered',
        messageId: 'twilio-SM0001-delivered',
        anonymousId: 'sms:+14155552671',
        context: { traits: { phone: '+14155552671' } },
        properties: { provider: 'twilio', phone: '+14155552671', messageSid: 'SM0001', status: 'delivered' },
      }),
    ]);
    expect(run.invalid).toEqual([]);
    expect(run.response.status).toBe(204);
  });

  it('turns an undelivered callback into SMS Failed with the error code', async () => {
    const run = await source.handle(signed(status('undelivered', { ErrorCode: '30003' })));
    expect(run.events[0]).toMatchObject({ event: 'SMS Failed', properties: { status: 'undelivered', errorCode: '30003' } });
  });

  it('turns an incoming message into SMS Reply Received from the sender, answered with empty TwiML', async () => {
    const run = await source.handle(signed({ MessageSid: 'SM0002', SmsStatus: 'received', From: '+14155552671', To: '+15005550006', Body: 'STOP' }, '/inbound'));
    expect(run.events[0]).toMatchObject({ event: 'SMS Reply Received', context: { traits: { phone: '+14155552671' } }, properties: { body: 'STOP', messageSid: 'SM0002' } });
    expect(run.response.headers.get('content-type')).toBe('text/xml');
    expect(await run.response.text()).toContain('<Response></Response>');
  });

  it('refuses a request signed with another token, or for another URL', async () => {
    await expect(source.handle(signed(status('delivered'), '/status', 'another-token-000000'))).rejects.toMatchObject({ kind: 'auth', message: expect.stringContaining('X-Twilio-Signature does not match') });
    const request = signed(status('delivered'));
    await expect(source.handle({ ...request, path: '/other' })).rejects.toMatchObject({ kind: 'auth' });
  });

  it('checks the signature against the forwarded host when no publicUrl is set', async () => {
    const direct = harness.source('twilio-receipts', { config: { authToken } });
    const params = status('sent');
    const run = await direct.handle({
      method: 'POST',
      path: '/status',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'sms.example.org',
        'x-twilio-signature': twilioSignature(authToken, 'https://sms.example.org/hooks/sms-in/status', params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(run.events[0]).toMatchObject({ event: 'SMS Sent' });
  });
});

describe('aliyun-receipts source', () => {
  const source = harness.source('aliyun-receipts', { config: { callbackToken } });
  const push = (body: unknown, token = callbackToken) => ({ method: 'POST', path: `/?token=${token}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('turns SmsReport receipts into SMS Delivered and SMS Failed with the +86 number, and answers code 0', async () => {
    const run = await source.handle(
      push([
        { phone_number: '13800138000', send_time: '2026-03-01 10:00:00', report_time: '2026-03-01 10:00:05', success: true, err_code: 'DELIVERED', err_msg: '用户接收成功', sms_size: '1', biz_id: '900001^0', out_id: 'm-1' },
        { phone_number: '13900139000', send_time: '2026-03-01 10:00:00', report_time: '2026-03-01 10:00:09', success: false, err_code: 'MK:0001', err_msg: '号码停机', sms_size: '1', biz_id: '900001^0' },
      ]),
    );
    expect(run.events.map((event) => [event.event, event.context?.traits?.['phone'], event.timestamp])).toEqual([
      ['SMS Delivered', '+8613800138000', '2026-03-01T02:00:05.000Z'],
      ['SMS Failed', '+8613900139000', '2026-03-01T02:00:09.000Z'],
    ]);
    expect(run.events[1]).toMatchObject({ messageId: 'aliyun-report-900001^0-13900139000', properties: { errorCode: 'MK:0001', bizId: '900001^0' } });
    expect(await run.response.json()).toEqual({ code: 0, msg: '成功' });
  });

  it('turns an SmsUp push into SMS Reply Received', async () => {
    const run = await source.handle(push([{ phone_number: '13800138000', send_time: '2026-03-01 10:01:00', content: '退订', sign_name: 'Weft', dest_code: '1234', sequence_id: 77 }]));
    expect(run.events[0]).toMatchObject({ event: 'SMS Reply Received', messageId: 'aliyun-up-77', properties: { body: '退订' }, context: { traits: { phone: '+8613800138000' } } });
  });

  it('refuses a push without the callback token', async () => {
    await expect(source.handle(push([], 'wrong'))).rejects.toMatchObject({ kind: 'auth' });
  });

  it('refuses a push that is not a receipt array', async () => {
    await expect(source.handle(push({ phone_number: '13800138000' }))).rejects.toMatchObject({ kind: 'validation' });
  });
});

describe('tencent-cloud-receipts source', () => {
  const source = harness.source('tencent-cloud-receipts', { config: { callbackToken } });
  const push = (body: unknown) => ({ method: 'POST', path: `/?token=${callbackToken}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('turns status reports into SMS Delivered / SMS Failed with the nation code, and answers result 0', async () => {
    const run = await source.handle(
      push([
        { user_receive_time: '2026-03-01 10:00:05', nationcode: '86', mobile: '13800138000', report_status: 'SUCCESS', errmsg: 'DELIVRD', description: '用户短信送达成功', sid: '2645:0001' },
        { user_receive_time: '2026-03-01 10:00:07', nationcode: '86', mobile: '13900139000', report_status: 'FAIL', errmsg: 'MN:0001', description: '空号', sid: '2645:0002' },
      ]),
    );
    expect(run.events.map((event) => [event.event, event.context?.traits?.['phone'], event.messageId])).toEqual([
      ['SMS Delivered', '+8613800138000', 'tencent-cloud-report-2645:0001'],
      ['SMS Failed', '+8613900139000', 'tencent-cloud-report-2645:0002'],
    ]);
    expect(await run.response.json()).toEqual({ result: 0, errmsg: 'OK' });
  });

  it('turns a reply callback into SMS Reply Received', async () => {
    const run = await source.handle(push({ extend: '', mobile: '13800138000', nationcode: '86', sign: 'Weft', text: 'TD', time: 1772330400 }));
    expect(run.events[0]).toMatchObject({ event: 'SMS Reply Received', timestamp: '2026-03-01T02:00:00.000Z', properties: { body: 'TD' }, context: { traits: { phone: '+8613800138000' } } });
  });
});
