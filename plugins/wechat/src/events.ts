import { ValidationError, type EventInput } from '@weft/plugin-sdk';
import { textField, type WeChatMessage } from './xml.js';

/** The identifiers of a WeChat user: the openid scoped by the app id, and the unionid when known. */
export function wechatExternalIds(appId: string, openid: string, unionid?: string): Array<{ type: string; id: string; scope?: string }> {
  const ids: Array<{ type: string; id: string; scope?: string }> = [{ type: 'wechat_openid', id: openid, scope: appId }];
  if (unionid) ids.push({ type: 'wechat_unionid', id: unionid });
  return ids;
}

/** The anonymous id of a WeChat user of one app; stable, so every event of that user shares it. */
export const wechatAnonymousId = (appId: string, openid: string) => `wechat:${appId}:${openid}`;

const QR_SCENE_PREFIX = 'qrscene_';

/** Event name and properties per WeChat event (`MsgType` event); anything else is `WeChat Event Received`. */
const eventKinds: Record<string, (message: WeChatMessage) => { event: string; properties: Record<string, unknown> }> = {
  subscribe(message) {
    const eventKey = textField(message, 'EventKey');
    // Following by scanning a parametric QR code: EventKey is qrscene_<scene>.
    const scene = eventKey?.startsWith(QR_SCENE_PREFIX) ? eventKey.slice(QR_SCENE_PREFIX.length) : undefined;
    return { event: 'WeChat Subscribed', properties: compact({ scene, ticket: textField(message, 'Ticket') }) };
  },
  unsubscribe: () => ({ event: 'WeChat Unsubscribed', properties: {} }),
  // An existing follower scanned a QR code: EventKey is the scene without a prefix.
  SCAN: (message) => ({ event: 'WeChat Scanned QR', properties: compact({ scene: textField(message, 'EventKey'), ticket: textField(message, 'Ticket') }) }),
  CLICK: (message) => ({ event: 'WeChat Menu Clicked', properties: compact({ eventKey: textField(message, 'EventKey') }) }),
  VIEW: (message) => ({ event: 'WeChat Link Viewed', properties: compact({ url: textField(message, 'EventKey'), menuId: textField(message, 'MenuId') }) }),
  LOCATION: (message) => ({
    event: 'WeChat Location Reported',
    properties: compact({ latitude: numberField(message, 'Latitude'), longitude: numberField(message, 'Longitude'), precision: numberField(message, 'Precision') }),
  }),
};

const envelopeFields = new Set(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'MsgId', 'Event', 'Encrypt']);

/**
 * Turns one WeChat Official Account message or event into a Weft `track` event of the user
 * (`anonymousId` wechat:<appId>:<openid>, the openid in `context.externalIds`). The `messageId` is
 * derived from the message (MsgId, else FromUserName+CreateTime+Event), so WeChat's retries of the
 * same delivery are dropped by ingest's dedupe.
 *
 * @example
 * eventFromMessage(parseWeChatXml(body), 'wx5823bf96d3bd56c7') // { type: 'track', event: 'WeChat Subscribed', … }
 */
export function eventFromMessage(message: WeChatMessage, appId: string): EventInput {
  const openid = textField(message, 'FromUserName');
  const createTime = textField(message, 'CreateTime');
  const msgType = textField(message, 'MsgType');
  if (!openid) throw new ValidationError('the WeChat message has no FromUserName (the openid of the sender)');
  if (!createTime || !/^\d+$/.test(createTime)) throw new ValidationError(`the WeChat message's CreateTime should be Unix seconds, got ${JSON.stringify(createTime ?? null)}`);
  if (!msgType) throw new ValidationError('the WeChat message has no MsgType');
  const msgId = textField(message, 'MsgId');
  const wechatEvent = textField(message, 'Event');
  const { event, properties } = msgType === 'event' ? describeEvent(message, wechatEvent) : describeMessage(message, msgType);
  return {
    type: 'track',
    event,
    messageId: msgId ? `wechat:${appId}:msg:${msgId}` : `wechat:${appId}:${openid}:${createTime}:${wechatEvent ?? msgType}`,
    anonymousId: wechatAnonymousId(appId, openid),
    properties: { ...properties, appId },
    context: { externalIds: wechatExternalIds(appId, openid) },
    timestamp: new Date(Number(createTime) * 1000).toISOString(),
  };
}

function describeEvent(message: WeChatMessage, wechatEvent: string | undefined) {
  if (!wechatEvent) throw new ValidationError('the WeChat event message has no Event field');
  const known = eventKinds[wechatEvent];
  if (known) return known(message);
  return { event: 'WeChat Event Received', properties: { wechatEvent, ...otherFields(message) } };
}

/** Messages users send (text, image, voice, video, location, link): one event name, the fields as properties. */
function describeMessage(message: WeChatMessage, msgType: string) {
  return { event: 'WeChat Message Received', properties: { messageType: msgType, ...compact({ msgId: textField(message, 'MsgId') }), ...otherFields(message) } };
}

/** The fields beyond the envelope, with WeChat's names in lower camel case (`PicUrl` → `picUrl`, `Location_X` → `locationX`). */
function otherFields(message: WeChatMessage): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message)) {
    if (envelopeFields.has(name) || value === '') continue;
    fields[camelCase(name)] = typeof value === 'string' ? value : otherFields(value);
  }
  return fields;
}

function camelCase(name: string): string {
  const joined = name.replace(/_([a-zA-Z0-9])/g, (_, letter: string) => letter.toUpperCase());
  return joined.charAt(0).toLowerCase() + joined.slice(1);
}

function numberField(message: WeChatMessage, name: string): number | undefined {
  const text = textField(message, name);
  const value = text === undefined ? Number.NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function compact(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined));
}
