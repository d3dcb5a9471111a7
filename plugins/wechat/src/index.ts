import { definePlugin } from '@weft/plugin-sdk';
import { subscribeMessage, templateMessage } from './destinations.js';
import { miniProgram } from './mini-program.js';
import { officialAccount } from './official-account.js';
import { version } from './version.js';

export { officialAccount, officialAccountConfigSchema, type OfficialAccountConfig } from './official-account.js';
export { miniProgram } from './mini-program.js';
export { subscribeMessage, templateMessage, recipientOpenid, sendOutcome } from './destinations.js';
export { apiConfigSchema, accessToken, callWithToken, msUntilQuotaReset, DEFAULT_API_BASE_URL, type ApiConfig, type WeChatAnswer } from './api.js';
export { wechatSignature, signatureMatches, encryptMessage, decryptMessage, aesKey, WeChatCryptoError } from './crypto.js';
export { eventFromMessage, wechatExternalIds, wechatAnonymousId } from './events.js';
export { parseWeChatXml, type WeChatMessage } from './xml.js';

export default definePlugin({
  id: 'wechat',
  version,
  sdk: '^0.1.0',
  description: 'WeChat: Official Account messages and events, mini-program login, subscribe and template messages',
  components: {
    'official-account': officialAccount,
    'mini-program': miniProgram,
    'subscribe-message': subscribeMessage,
    'template-message': templateMessage,
  },
});
