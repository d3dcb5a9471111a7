import { encryptMessage, wechatSignature } from '../src/crypto.js';

/** How WeChat would POST `xml` to the server URL: signed, and in safe mode encrypted. */
export function wechatPost(
  config: { token: string; appId: string; encodingAESKey: string; mode: 'plain' | 'safe' },
  xml: string,
  options: { timestamp?: number; nonce?: string; sealedFor?: string } = {},
) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? '1320562132';
  const query = new URLSearchParams({ signature: wechatSignature([config.token, timestamp, nonce]), timestamp, nonce, openid: 'o-user' });
  let body = xml;
  if (config.mode === 'safe') {
    const encrypted = encryptMessage(xml, { encodingAESKey: config.encodingAESKey, appId: options.sealedFor ?? config.appId });
    query.set('encrypt_type', 'aes');
    query.set('msg_signature', wechatSignature([config.token, timestamp, nonce, encrypted]));
    body = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
  }
  return { method: 'POST', path: `/?${query}`, headers: { 'content-type': 'text/xml' }, body };
}

/** WeChat's GET check of the server URL. */
export function wechatUrlCheck(token: string, echostr: string, options: { timestamp?: number; signature?: string } = {}) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = '263014780';
  const signature = options.signature ?? wechatSignature([token, timestamp, nonce]);
  return { method: 'GET', path: `/?${new URLSearchParams({ signature, timestamp, nonce, echostr })}` };
}

export const subscribeXml = (openid: string, createTime = 1_700_000_000, eventKey?: string) =>
  `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>${eventKey ? `<EventKey><![CDATA[${eventKey}]]></EventKey>` : ''}</xml>`;
