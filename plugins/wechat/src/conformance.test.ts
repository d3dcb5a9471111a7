import { runConformance, type FakeRoutes } from '@weft/plugin-sdk/testing';
import { subscribeXml, wechatPost } from '../test/signed-requests.js';
import plugin from './index.js';

const officialAccount = { appId: 'wx2c2769f8efd9abc2', token: 'spamtest', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', mode: 'safe' as const };
const apiConfig = (vendorUrl: string) => ({ appId: 'wxconformance00001', appSecret: 'conformance-app-secret', apiBaseUrl: vendorUrl });

/** WeChat when all is well: a token for anyone, every send and login accepted. */
const wechatApi: FakeRoutes = {
  'GET /cgi-bin/token': { json: { access_token: 'CONFORMANCE_TOKEN', expires_in: 7200 } },
  'GET /sns/jscode2session': { json: { openid: 'o-conformance', session_key: 'conformance-session-key' } },
  '/cgi-bin/message/*': { json: { errcode: 0, errmsg: 'ok', msgid: 1 } },
};

const messageEvent = (event: string) => ({
  type: 'track' as const,
  event,
  userId: 'u1',
  properties: { templateId: 'tpl-1', templateData: { thing1: 'Coffee' } },
  context: { externalIds: [{ type: 'wechat_openid', id: 'o-conformance', scope: 'wxconformance00001' }] },
});
const messages = { config: apiConfig, vendor: wechatApi, events: [messageEvent('Order Paid'), messageEvent('Order Shipped'), messageEvent('Order Delivered')] };

runConformance(plugin, {
  // Sends go one per item: three events against a vendor that never answers wait three timeouts.
  timeoutMs: 250,
  components: {
    'official-account': {
      config: officialAccount,
      validRequest: () => wechatPost(officialAccount, subscribeXml('o-conformance', 1_700_000_000, 'qrscene_1')),
      malformedRequests: () => [
        wechatPost(officialAccount, 'not xml'),
        wechatPost(officialAccount, '<xml><MsgType><![CDATA[event]]></MsgType></xml>'),
        wechatPost({ ...officialAccount, mode: 'plain' }, subscribeXml('o-conformance')),
      ],
    },
    'mini-program': {
      config: apiConfig,
      vendor: wechatApi,
      validRequest: () => ({ method: 'POST', path: '/login', body: { code: 'code-1', anonymousId: 'anon-1' } }),
      malformedRequests: () => [{ method: 'POST', path: '/login', body: { code: '' } }],
    },
    'subscribe-message': messages,
    'template-message': messages,
  },
});
