import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, RateLimitedError, TransientError, ValidationError } from '@weft/plugin-sdk';
import { createHarness } from '@weft/plugin-sdk/testing';
import { startFakeWeChat, type FakeWeChat } from '../test/fake-wechat.js';
import plugin from './index.js';

const appId = 'wxminiprogram00001';
let wechat: FakeWeChat;
const harness = createHarness(plugin);
const login = (body: unknown, appSecret = 'mini-secret') =>
  harness.source('mini-program', { config: { appId, appSecret, apiBaseUrl: wechat.url } }).handle({ method: 'POST', path: '/login', body: body as object });

beforeAll(async () => {
  wechat = await startFakeWeChat({
    [appId]: {
      secret: 'mini-secret',
      users: ['o-mini-ada', 'o-mini-bob'],
      templates: [],
      loginCodes: { 'code-ada': { openid: 'o-mini-ada', unionid: 'u-ada' }, 'code-bob': { openid: 'o-mini-bob' }, 'code-used': { openid: 'o-mini-bob' } },
    },
  });
});
afterAll(() => wechat.close());

describe('the mini-program login endpoint', () => {
  it('links the anonymous id to the openid and unionid and answers { ok: true } without the session_key', async () => {
    const run = await login({ code: 'code-ada', anonymousId: 'anon-ada' });
    expect(run.response.status).toBe(200);
    const answer = await run.response.text();
    expect(JSON.parse(answer)).toEqual({ ok: true });
    expect(answer).not.toContain('SESSION_KEY');
    expect(run.invalid).toEqual([]);
    expect(run.events).toEqual([
      {
        type: 'identify',
        messageId: `wechat:${appId}:login:o-mini-ada:anon-ada`,
        anonymousId: 'anon-ada',
        traits: {},
        context: { externalIds: [{ type: 'wechat_openid', id: 'o-mini-ada', scope: appId }, { type: 'wechat_unionid', id: 'u-ada' }] },
      },
    ]);
    expect(wechat.requests.at(-1)!.query).toMatchObject({ appid: appId, secret: 'mini-secret', js_code: 'code-ada', grant_type: 'authorization_code' });
    expect(JSON.stringify(run.logs)).not.toContain('SESSION_KEY');
  });

  it('links only the openid when the app has no unionid', async () => {
    const run = await login({ code: 'code-bob', anonymousId: 'anon-bob' });
    expect(run.events[0]!.context?.externalIds).toEqual([{ type: 'wechat_openid', id: 'o-mini-bob', scope: appId }]);
  });

  it('answers an invalid code (40029) with a 400 telling the mini-program to log in again', async () => {
    await expect(login({ code: 'no-such-code', anonymousId: 'a' })).rejects.toThrow(new ValidationError('the login code is invalid, expired or already used (40029 invalid code rid: fake-40029); call wx.login() again'));
  });

  it('answers a code used twice (40163) the same way', async () => {
    await login({ code: 'code-used', anonymousId: 'a' });
    await expect(login({ code: 'code-used', anonymousId: 'a' })).rejects.toThrow(ValidationError);
  });

  it('answers the per-user rate limit (45011) with a 429 to retry in a minute', async () => {
    const error = await login({ code: 'too-fast', anonymousId: 'a' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(60_000);
  });

  it('answers WeChat being busy (-1) with a 503', async () => {
    await expect(login({ code: 'busy', anonymousId: 'a' })).rejects.toThrow(TransientError);
  });

  it('answers a wrong appSecret with an AuthError naming the app', async () => {
    await expect(login({ code: 'code-ada', anonymousId: 'a' }, 'wrong-secret')).rejects.toThrow(new AuthError(`WeChat refused the appId '${appId}' or its appSecret (40125 invalid appsecret rid: fake-40125); check the connector's config`));
  });

  it('refuses a body without a code, naming the field', async () => {
    await expect(login({ anonymousId: 'a' })).rejects.toThrow(/code: /);
  });

  it('answers 404 below any other path', async () => {
    const run = await harness.source('mini-program', { config: { appId, appSecret: 'mini-secret', apiBaseUrl: wechat.url } }).handle({ method: 'POST', path: '/other', body: {} });
    expect(run.response.status).toBe(404);
    expect(run.events).toEqual([]);
  });
});
