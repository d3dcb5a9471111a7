import { describe, expect, it } from 'vitest';
import { AuthError, ValidationError } from '@weft/plugin-sdk';
import { createHarness } from '@weft/plugin-sdk/testing';
import { subscribeXml, wechatPost, wechatUrlCheck } from '../test/signed-requests.js';
import plugin from './index.js';

const base = { appId: 'wx2c2769f8efd9abc2', token: 'spamtest', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const safe = { ...base, mode: 'safe' as const };
const plain = { ...base, mode: 'plain' as const };
const harness = createHarness(plugin);
const source = (config: typeof safe | typeof plain) => harness.source('official-account', { config });

describe('the server URL check (GET)', () => {
  it('echoes echostr when the signature matches the token', async () => {
    const run = await source(safe).handle(wechatUrlCheck(base.token, '1616140317555161061'));
    expect(run.response.status).toBe(200);
    expect(await run.response.text()).toBe('1616140317555161061');
    expect(run.events).toEqual([]);
  });

  it('answers 401 in plain text when the signature does not match', async () => {
    const run = await source(safe).handle(wechatUrlCheck(base.token, 'x', { signature: 'f'.repeat(40) }));
    expect(run.response.status).toBe(401);
    expect(run.response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await run.response.text()).toBe('signature does not match the configured token');
  });

  it('answers 401 to a correctly signed check whose timestamp is an hour old', async () => {
    const run = await source(safe).handle(wechatUrlCheck(base.token, 'x', { timestamp: Math.floor(Date.now() / 1000) - 3600 }));
    expect(run.response.status).toBe(401);
  });
});

describe('messages and events (POST)', () => {
  it('decrypts a safe-mode follow by QR code into WeChat Subscribed and answers success', async () => {
    const run = await source(safe).handle(wechatPost(safe, subscribeXml('o-ada', 1_700_000_000, 'qrscene_spring-sale')));
    expect(run.response.status).toBe(200);
    expect(run.response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await run.response.text()).toBe('success');
    expect(run.invalid).toEqual([]);
    expect(run.events).toEqual([
      {
        type: 'track',
        event: 'WeChat Subscribed',
        messageId: `wechat:${base.appId}:o-ada:1700000000:subscribe`,
        anonymousId: `wechat:${base.appId}:o-ada`,
        properties: { scene: 'spring-sale', appId: base.appId },
        context: { externalIds: [{ type: 'wechat_openid', id: 'o-ada', scope: base.appId }] },
        timestamp: '2023-11-14T22:13:20.000Z',
      },
    ]);
  });

  it('reads a plain-mode message', async () => {
    const run = await source(plain).handle(wechatPost(plain, subscribeXml('o-bob')));
    expect(run.events).toMatchObject([{ event: 'WeChat Subscribed', anonymousId: `wechat:${base.appId}:o-bob` }]);
  });

  it('gives a redelivery of the same message the same messageId, so ingest counts it once', async () => {
    const first = await source(safe).handle(wechatPost(safe, subscribeXml('o-ada'), { nonce: '1' }));
    const retried = await source(safe).handle(wechatPost(safe, subscribeXml('o-ada'), { nonce: '2' }));
    expect(retried.events[0]!.messageId).toBe(first.events[0]!.messageId);
  });

  it('refuses a safe-mode body whose msg_signature does not match the Encrypt value', async () => {
    const request = wechatPost(safe, subscribeXml('o-eve'));
    const tampered = { ...request, path: request.path.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'0'.repeat(40)}`) };
    await expect(source(safe).handle(tampered)).rejects.toThrow(/msg_signature rejected/);
  });

  it('refuses a message encrypted for another app id', async () => {
    await expect(source(safe).handle(wechatPost(safe, subscribeXml('o-eve'), { sealedFor: 'wxanotherapp000001' }))).rejects.toThrow(
      "the message was encrypted for app id 'wxanotherapp000001', not this connector's 'wx2c2769f8efd9abc2'",
    );
  });

  it('refuses a plain body when the connector is in safe mode, saying so', async () => {
    await expect(source(safe).handle(wechatPost(plain, subscribeXml('o-eve')))).rejects.toThrow(/expects an <Encrypt> element/);
  });

  it('refuses an unsigned POST with an AuthError', async () => {
    await expect(source(plain).handle({ method: 'POST', body: subscribeXml('o-eve') })).rejects.toThrow(AuthError);
  });

  it('refuses a signed body that is not XML with a ValidationError', async () => {
    await expect(source(plain).handle(wechatPost(plain, 'not xml at all'))).rejects.toThrow(ValidationError);
  });
});
