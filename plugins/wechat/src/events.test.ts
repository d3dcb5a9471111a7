import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventFromMessage } from './events.js';
import { parseWeChatXml } from './xml.js';

const samples = JSON.parse(readFileSync(new URL('../fixtures/inbound-xml-samples.json', import.meta.url), 'utf8')) as Record<string, string>;
const appId = 'wx5823bf96d3bd56c7';
const eventOf = (name: string) => eventFromMessage(parseWeChatXml(samples[name]!), appId);

describe('the documented inbound XML samples (fixtures/inbound-xml-samples.json)', () => {
  it('reads a text message as WeChat Message Received with its content, keyed by MsgId', () => {
    expect(eventOf('text')).toEqual({
      type: 'track',
      event: 'WeChat Message Received',
      messageId: `wechat:${appId}:msg:1234567890123456`,
      anonymousId: `wechat:${appId}:fromUser`,
      properties: { messageType: 'text', msgId: '1234567890123456', content: 'this is a test', appId },
      context: { externalIds: [{ type: 'wechat_openid', id: 'fromUser', scope: appId }] },
      timestamp: new Date(1348831860 * 1000).toISOString(),
    });
  });

  it('reads a follow as WeChat Subscribed, keyed by FromUserName, CreateTime and Event', () => {
    expect(eventOf('subscribe')).toMatchObject({
      event: 'WeChat Subscribed',
      messageId: `wechat:${appId}:FromUser:123456789:subscribe`,
      properties: { appId },
      timestamp: '1973-11-29T21:33:09.000Z',
    });
    expect(eventOf('subscribe').properties).not.toHaveProperty('scene');
  });

  it('reads the QR scene of a follow by scanning, without the qrscene_ prefix', () => {
    expect(eventOf('subscribe_via_qrscene')).toMatchObject({ event: 'WeChat Subscribed', properties: { scene: '123123', ticket: 'TICKET' } });
  });

  it('reads an unfollow as WeChat Unsubscribed', () => {
    expect(eventOf('unsubscribe')).toMatchObject({ event: 'WeChat Unsubscribed', messageId: `wechat:${appId}:FromUser:123456789:unsubscribe` });
  });

  it('reads a scan by a follower as WeChat Scanned QR with the scene as sent', () => {
    expect(eventOf('SCAN')).toMatchObject({ event: 'WeChat Scanned QR', properties: { scene: 'SCENE_VALUE', ticket: 'TICKET' } });
  });

  it('reads a menu click as WeChat Menu Clicked with its key', () => {
    expect(eventOf('CLICK')).toMatchObject({ event: 'WeChat Menu Clicked', properties: { eventKey: 'EVENTKEY' } });
  });

  it('reads a menu link as WeChat Link Viewed with its URL and menu', () => {
    expect(eventOf('VIEW')).toMatchObject({ event: 'WeChat Link Viewed', properties: { url: 'www.qq.com', menuId: 'MENUID' } });
  });

  it('gives every sample the openid scoped by the app id', () => {
    for (const name of ['text', 'subscribe', 'unsubscribe', 'subscribe_via_qrscene', 'SCAN', 'CLICK', 'VIEW']) {
      expect(eventOf(name).context?.externalIds, name).toEqual([{ type: 'wechat_openid', id: name === 'text' ? 'fromUser' : 'FromUser', scope: appId }]);
    }
  });
});

describe('other messages', () => {
  const xml = (fields: string) => `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-user]]></FromUserName><CreateTime>1700000000</CreateTime>${fields}</xml>`;

  it('reads a location report as numbers', () => {
    const event = eventFromMessage(parseWeChatXml(xml('<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[LOCATION]]></Event><Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision>')), appId);
    expect(event).toMatchObject({ event: 'WeChat Location Reported', properties: { latitude: 23.137466, longitude: 113.352425, precision: 119.38504 } });
  });

  it('keeps a 19-digit MsgId exact', () => {
    const event = eventFromMessage(parseWeChatXml(xml('<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>6054768590064713728</MsgId>')), appId);
    expect(event.messageId).toBe(`wechat:${appId}:msg:6054768590064713728`);
  });

  it('reads an image message with its fields in camel case', () => {
    const event = eventFromMessage(parseWeChatXml(xml('<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://pic]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>42</MsgId>')), appId);
    expect(event).toMatchObject({ event: 'WeChat Message Received', properties: { messageType: 'image', picUrl: 'http://pic', mediaId: 'm1', msgId: '42' } });
  });

  it('reads an event it has no name for as WeChat Event Received', () => {
    const event = eventFromMessage(parseWeChatXml(xml('<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>200163836</MsgID><Status><![CDATA[success]]></Status>')), appId);
    expect(event).toMatchObject({ event: 'WeChat Event Received', properties: { wechatEvent: 'TEMPLATESENDJOBFINISH', status: 'success' } });
  });

  it('refuses a message without a sender, naming the field', () => {
    expect(() => eventFromMessage(parseWeChatXml('<xml><MsgType>text</MsgType><CreateTime>1</CreateTime></xml>'), appId)).toThrow(/FromUserName/);
  });

  it('refuses XML that is cut off', () => {
    expect(() => parseWeChatXml('<xml><ToUserName><![CDATA[')).toThrow(/not well-formed XML/);
  });
});
