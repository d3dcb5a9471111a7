import { definePlugin } from '@weft/plugin-sdk';
import { aliyunDestination } from './aliyun/destination.js';
import { tencentDestination } from './tencent/destination.js';
import { twilioDestination } from './twilio/destination.js';
import { aliyunReceipts } from './aliyun/source.js';
import { tencentReceipts } from './tencent/source.js';
import { twilioReceipts } from './twilio/source.js';

export default definePlugin({
  id: 'sms',
  version: '0.1.0',
  sdk: '^0.1.0',
  description: 'SMS through Aliyun, Tencent Cloud and Twilio, and their delivery receipts and replies',
  components: {
    aliyun: aliyunDestination,
    'tencent-cloud': tencentDestination,
    twilio: twilioDestination,
    'aliyun-receipts': aliyunReceipts,
    'tencent-cloud-receipts': tencentReceipts,
    'twilio-receipts': twilioReceipts,
  },
});

export { aliyunConfigSchema, type AliyunConfig } from './aliyun/destination.js';
export { tencentConfigSchema, type TencentConfig } from './tencent/destination.js';
export { twilioConfigSchema, type TwilioConfig } from './twilio/destination.js';
export { percentEncode, canonicalQuery, aliyunStringToSign, signAliyunRequest, signedAliyunQuery } from './aliyun/signature.js';
export { signTc3, type Tc3Request, type Tc3Signature } from './tencent/signature.js';
export { twilioSignature, validateTwilioRequest, type TwilioParams, type ValidateTwilioRequest } from './twilio/signature.js';
export { SMS_EVENTS } from './receipts.js';
