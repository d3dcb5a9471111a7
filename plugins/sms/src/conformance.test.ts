import { runConformance } from '@weft/plugin-sdk/testing';
import plugin from './index.js';
import { aliyunFake } from '../test/fakes/aliyun.js';
import { tencentFake } from '../test/fakes/tencent.js';
import { twilioFake } from '../test/fakes/twilio.js';
import { twilioSignature } from './twilio/signature.js';

const accountSid = `AC${'c0'.repeat(16)}`;
const secrets = { aliyun: 'aliyun-conformance-secret', tencent: 'tencent-conformance-key', twilio: 'twilio-conformance-token' };
const callbackToken = 'callback-conformance-token';
const twilioStatus = { MessageSid: 'SM0001', MessageStatus: 'delivered', To: '+14155552671', From: '+15005550006' };
const json = (body: unknown) => ({ method: 'POST', path: `/?token=${callbackToken}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const events = [
  { type: 'identify' as const, userId: 'u1', traits: { phone: '+86 138 0013 8000', otp: '123456' } },
  { type: 'track' as const, event: 'Order Shipped', userId: 'u2', context: { traits: { phone: '+86 139 0013 9000' } }, properties: { otp: '654321' } },
  { type: 'identify' as const, userId: 'u3', traits: { phone: '+1 415 555 2671', otp: '000111' } },
];

runConformance(plugin, {
  timeoutMs: 300,
  components: {
    aliyun: {
      config: (vendorUrl) => ({ accessKeyId: 'LTAI-conformance', accessKeySecret: secrets.aliyun, signName: 'Weft', templateCode: 'SMS_100001', templateParams: { code: 'otp' }, endpoint: vendorUrl }),
      vendor: aliyunFake({ accounts: { 'LTAI-conformance': secrets.aliyun } }).handler,
      events,
    },
    'tencent-cloud': {
      config: (vendorUrl) => ({ secretId: 'AKID-conformance', secretKey: secrets.tencent, sdkAppId: '1400000001', signName: 'Weft', templateId: '100001', templateParams: ['otp'], endpoint: vendorUrl }),
      vendor: tencentFake({ accounts: { 'AKID-conformance': secrets.tencent } }).handler,
      events,
    },
    twilio: {
      config: (vendorUrl) => ({ accountSid, authToken: secrets.twilio, from: '+15005550006', body: 'Your code is {{otp}}', endpoint: vendorUrl }),
      vendor: twilioFake({ accountSid, authToken: secrets.twilio }).handler,
      events,
    },
    'aliyun-receipts': {
      config: { callbackToken },
      validRequest: () => json([{ phone_number: '13800138000', success: true, biz_id: '900001^0', report_time: '2026-03-01 10:00:05', err_code: 'DELIVERED' }]),
      malformedRequests: () => [json({}), json([{ phone_number: '13800138000' }]), { ...json([]), path: '/' }],
    },
    'tencent-cloud-receipts': {
      config: { callbackToken },
      validRequest: () => json([{ mobile: '13800138000', nationcode: '86', report_status: 'SUCCESS', sid: '2645:0001' }]),
      malformedRequests: () => [json([{ mobile: '13800138000', report_status: 'MAYBE', sid: 'x' }]), json({ mobile: '13800138000' })],
    },
    'twilio-receipts': {
      config: { authToken: secrets.twilio, publicUrl: 'https://weft.example.com' },
      validRequest: (config) => ({
        method: 'POST',
        path: '/status',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(config.authToken as string, 'https://weft.example.com/hooks/test-twilio-receipts/status', twilioStatus),
        },
        body: new URLSearchParams(twilioStatus).toString(),
      }),
    },
  },
});
