import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type TestEvent } from '@weft/plugin-sdk/testing';
import { startFakeWeChat, type FakeWeChat } from '../test/fake-wechat.js';
import { msUntilQuotaReset } from './api.js';
import plugin from './index.js';

const oaAppId = 'wxofficialaccount01';
const miniAppId = 'wxminiprogram00001';
let wechat: FakeWeChat;
const harness = createHarness(plugin);

beforeEach(async () => {
  wechat = await startFakeWeChat({
    [oaAppId]: { secret: 'oa-secret', users: ['o-ada', 'o-bob', 'o-cat'], followers: ['o-ada', 'o-cat'], templates: ['tpl-shipped'] },
    [miniAppId]: { secret: 'mini-secret', users: ['m-ada', 'm-bob'], templates: ['tpl-order'], subscriptions: { 'm-ada': ['tpl-order', 'tpl-order'] }, dailyQuota: 2 },
  });
});
afterEach(() => wechat.close());

const templateMessage = (appSecret = 'oa-secret') => harness.destination('template-message', { config: { appId: oaAppId, appSecret, apiBaseUrl: wechat.url } });
const subscribeMessage = () => harness.destination('subscribe-message', { config: { appId: miniAppId, appSecret: 'mini-secret', apiBaseUrl: wechat.url } });

/** A track event of a user known by openids of both apps, asking for a template. */
const shipped = (openid: string, templateId = 'tpl-shipped'): TestEvent => ({
  type: 'track',
  event: 'Order Shipped',
  anonymousId: `wechat:${oaAppId}:${openid}`,
  properties: { templateId, url: 'https://shop.example/orders/1', templateData: { thing1: 'Coffee beans', amount2: 39.8 } },
  context: { externalIds: [{ type: 'wechat_openid', id: `m-${openid.slice(2)}`, scope: miniAppId }, { type: 'wechat_openid', id: openid, scope: oaAppId }] },
});

describe('template-message', () => {
  it('sends to the openid of its own app, with the template fields wrapped as values', async () => {
    const run = await templateMessage().send('send', [shipped('o-ada')]);
    expect(run.results).toMatchObject([{ status: 'ok', response: { msgid: expect.any(Number) } }]);
    expect(wechat.sent).toEqual([
      {
        appId: oaAppId,
        path: '/cgi-bin/message/template/send',
        body: {
          touser: 'o-ada',
          template_id: 'tpl-shipped',
          url: 'https://shop.example/orders/1',
          client_msg_id: run.results[0]!.idempotencyKey,
          data: { thing1: { value: 'Coffee beans' }, amount2: { value: '39.8' } },
        },
      },
    ]);
  });

  it('fetches one access_token and reuses it from the store', async () => {
    const destination = templateMessage();
    await destination.send('send', [shipped('o-ada')]);
    await destination.send('send', [shipped('o-cat')]);
    expect(wechat.tokensIssued()).toBe(1);
    expect(wechat.sent).toHaveLength(2);
  });

  it('fetches a fresh token and sends once more when WeChat says the cached one expired (42001)', async () => {
    const destination = templateMessage();
    await destination.send('send', [shipped('o-ada')]);
    wechat.advance(7200);
    const run = await destination.send('send', [shipped('o-cat')]);
    expect(run.results.map(({ status }) => status)).toEqual(['ok']);
    expect(wechat.tokensIssued()).toBe(2);
    const answers = wechat.requests.filter((request) => request.path === '/cgi-bin/message/template/send').map((request) => request.query['access_token']);
    expect(answers).toEqual(['FAKE_TOKEN_1', 'FAKE_TOKEN_1', 'FAKE_TOKEN_2']);
  });

  it('fails only the recipient who does not follow the account (43004), and sends the others', async () => {
    const run = await templateMessage().send('send', [shipped('o-ada'), shipped('o-bob'), shipped('o-cat')]);
    expect(run.results.map(({ status }) => status)).toEqual(['ok', 'fail', 'ok']);
    expect(run.results[1]).toMatchObject({ reason: 'WeChat refused the message: the recipient does not follow the Official Account (43004 require subscribe rid: fake-43004)' });
    expect(wechat.sent.map(({ body }) => body['touser'])).toEqual(['o-ada', 'o-cat']);
  });

  it('fails an event that has no openid of this app, saying how to map one', async () => {
    const run = await templateMessage().send('send', [{ type: 'track', event: 'Order Shipped', userId: 'u1', properties: { templateId: 'tpl-shipped', templateData: {} } }]);
    expect(run.results[0]).toMatchObject({ status: 'fail', reason: expect.stringContaining(`no wechat_openid for appId '${oaAppId}'`) });
    expect(wechat.requests).toEqual([]);
  });

  it('fails an unknown template id (40037)', async () => {
    const run = await templateMessage().send('send', [shipped('o-ada', 'tpl-missing')]);
    expect(run.results[0]).toMatchObject({ status: 'fail', reason: expect.stringContaining('the template id is unknown (40037') });
  });

  it('pauses with one sentence when the appSecret is wrong (40125)', async () => {
    const run = await templateMessage('wrong-secret').send('send', [shipped('o-ada')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining(`WeChat refused the appSecret of appId '${oaAppId}'`) });
  });
});

describe('subscribe-message', () => {
  const order = (openid: string): TestEvent => ({
    type: 'track',
    event: 'Order Paid',
    userId: 'u-1',
    properties: { templateId: 'tpl-order', page: 'pages/order?id=1', templateData: { character_string1: 'A-1001' } },
    context: { externalIds: [{ type: 'wechat_openid', id: openid, scope: miniAppId }] },
  });

  it('sends to the mini-program openid of a user who subscribed, with the page', async () => {
    const run = await subscribeMessage().send('send', [order('m-ada')]);
    expect(run.results.map(({ status }) => status)).toEqual(['ok']);
    expect(wechat.sent[0]).toEqual({
      appId: miniAppId,
      path: '/cgi-bin/message/subscribe/send',
      body: { touser: 'm-ada', template_id: 'tpl-order', page: 'pages/order?id=1', data: { character_string1: { value: 'A-1001' } } },
    });
  });

  it('fails only the user who refused the template (43101) in a batch', async () => {
    const run = await subscribeMessage().send('send', [order('m-ada'), order('m-bob'), order('m-ada')]);
    expect(run.results.map(({ status }) => status)).toEqual(['ok', 'fail', 'ok']);
    expect(run.results[1]).toMatchObject({ reason: expect.stringContaining('has not subscribed to this template') });
  });

  it('retries after the quota resets when the daily limit is reached (45009)', async () => {
    const destination = subscribeMessage();
    await destination.send('send', [order('m-ada'), order('m-ada')]);
    const untilResetBefore = msUntilQuotaReset();
    const run = await destination.send('send', [order('m-ada')]);
    expect(run.results[0]).toMatchObject({ status: 'retry', reason: expect.stringContaining('daily quota') });
    const retryAfterMs = (run.results[0] as { retryAfterMs: number }).retryAfterMs;
    expect(retryAfterMs).toBeLessThanOrEqual(untilResetBefore);
    expect(retryAfterMs).toBeGreaterThan(untilResetBefore - 5_000);
  });
});

describe('check()', () => {
  it('passes with the right appId and appSecret', async () => {
    expect(await harness.check('template-message', { appId: oaAppId, appSecret: 'oa-secret', apiBaseUrl: wechat.url })).toMatchObject({ ok: true });
  });

  it('names the app when WeChat does not know the appId (40013)', async () => {
    const outcome = await harness.check('template-message', { appId: 'wxunknownapp000001', appSecret: 'oa-secret', apiBaseUrl: wechat.url });
    expect(outcome).toMatchObject({ ok: false, kind: 'auth', message: "WeChat does not know the appId 'wxunknownapp000001' (40013 invalid appid rid: fake-40013); check the connector's appId" });
  });

  it('says the appSecret is wrong (40125) without showing it', async () => {
    const outcome = await harness.check('subscribe-message', { appId: miniAppId, appSecret: 'wrong-secret-value', apiBaseUrl: wechat.url });
    expect(outcome).toMatchObject({ ok: false, kind: 'auth', message: expect.stringContaining(`WeChat refused the appSecret of appId '${miniAppId}'`) });
    expect(outcome.ok === false && outcome.message).not.toContain('wrong-secret-value');
  });

  it('says in one line that WeChat cannot be reached', async () => {
    const closed = await startFakeWeChat({});
    await closed.close();
    const outcome = await harness.check('template-message', { appId: oaAppId, appSecret: 'oa-secret', apiBaseUrl: closed.url });
    expect(outcome).toMatchObject({ ok: false, kind: 'transient', message: `could not reach WeChat at ${new URL(closed.url).host}: the connection was refused (nothing listens on that port) (ECONNREFUSED)` });
  });
});

describe('msUntilQuotaReset', () => {
  it('counts to the next midnight in Beijing (16:00 UTC)', () => {
    expect(msUntilQuotaReset(Date.parse('2026-01-31T15:00:00Z'))).toBe(3_600_000);
    expect(msUntilQuotaReset(Date.parse('2026-01-31T16:00:00Z'))).toBe(86_400_000);
  });
});
