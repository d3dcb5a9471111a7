// End to end through a real Weft pipeline on PostgreSQL: WeChat posts a safe-mode follow to the
// app's /hooks/:id, the pipeline resolves the identity and a template message reaches the fake WeChat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../core/src/app.js';
import { DeliveryManager } from '../../../core/src/delivery/manager.js';
import { PipelineWorker } from '../../../core/src/engine/pipeline-worker.js';
import { events } from '../../../core/src/db/schema/index.js';
import { IngestWriter } from '../../../core/src/ingest/writer.js';
import { createTestRuntime, type TestRuntime } from '../../../core/test-support/index.js';
import { startFakeWeChat, type FakeWeChat } from './fake-wechat.js';
import { subscribeXml, wechatPost } from './signed-requests.js';

const oa = { appId: 'wx2c2769f8efd9abc2', token: 'spamtest', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', mode: 'safe' as const };
const miniAppId = 'wxminiprogram00001';

describe('WeChat through a Weft pipeline', () => {
  let t: TestRuntime;
  let wechat: FakeWeChat;
  let ingest: IngestWriter;
  let app: ReturnType<typeof createApp>;
  let worker: PipelineWorker;
  let manager: DeliveryManager;

  beforeAll(async () => {
    wechat = await startFakeWeChat({
      [oa.appId]: { secret: 'oa-secret', users: ['o-ada', 'o-bob'], followers: ['o-ada', 'o-bob'], templates: ['tpl-welcome'] },
      [miniAppId]: { secret: 'mini-secret', users: ['m-ada'], templates: [], loginCodes: { 'code-ada': { openid: 'm-ada', unionid: 'union-ada' } } },
    });
    t = await createTestRuntime();
    await t.runtime.connectors.create({ id: 'wechat-oa', plugin: 'wechat', component: 'official-account', config: oa });
    await t.runtime.connectors.create({ id: 'wechat-mini', plugin: 'wechat', component: 'mini-program', config: { appId: miniAppId, appSecret: 'mini-secret', apiBaseUrl: wechat.url } });
    await t.runtime.connectors.create({
      id: 'wechat-welcome',
      plugin: 'wechat',
      component: 'template-message',
      config: { appId: oa.appId, appSecret: 'oa-secret', apiBaseUrl: wechat.url },
      settings: {
        retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
        actions: {
          send: {
            filter: 'event = "WeChat Subscribed"',
            mapping: '{ "externalIds": context.externalIds, "templateId": "tpl-welcome", "data": { "thing1": "Welcome", "thing2": properties.scene } }',
          },
        },
      },
    });
    await t.runtime.pipelines.create('wechat-welcome', { spec: { sources: ['wechat-oa', 'wechat-mini'], destinations: ['wechat-welcome'] } });
    ingest = new IngestWriter(t.runtime);
    app = createApp({ runtime: t.runtime, ingest });
    worker = new PipelineWorker(t.runtime);
    manager = new DeliveryManager(t.runtime);
    worker.start();
    manager.start();
  });

  afterAll(async () => {
    await manager?.stop();
    await worker?.stop();
    await ingest?.close();
    await t?.cleanup();
    await wechat?.close();
  });

  const postToHook = (xml: string, nonce: string) => {
    const request = wechatPost(oa, xml, { nonce });
    return app.request(`/hooks/wechat-oa${request.path.slice(1)}`, { method: 'POST', headers: request.headers, body: request.body });
  };

  const waitFor = async <T>(what: string, condition: () => Promise<T | undefined> | T | undefined): Promise<T> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await condition();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const profileOf = (identifier: string) => t.runtime.identity.profiles.lookup(identifier).catch(() => undefined);

  it('answers success to a safe-mode follow, counts a redelivery once and sends the welcome template', async () => {
    const xml = subscribeXml('o-ada', 1_700_000_000, 'qrscene_spring');
    const first = await postToHook(xml, '101');
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('success');
    // WeChat retries when it does not hear back in time: same message, new nonce.
    expect(await (await postToHook(xml, '102')).text()).toBe('success');
    const stored = await t.runtime.db.select({ messageId: events.messageId }).from(events);
    expect(stored.map(({ messageId }) => messageId)).toEqual([`wechat:${oa.appId}:o-ada:1700000000:subscribe`]);

    await waitFor('the welcome message at WeChat', () => (wechat.sent.length >= 1 ? true : undefined));
    expect(wechat.sent).toEqual([
      { appId: oa.appId, path: '/cgi-bin/message/template/send', body: expect.objectContaining({ touser: 'o-ada', template_id: 'tpl-welcome', data: { thing1: { value: 'Welcome' }, thing2: { value: 'spring' } } }) },
    ]);
    const profile = await waitFor('the profile of the openid', () => profileOf(`wechat_openid:${oa.appId}:o-ada`));
    expect(profile.identities).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'anonymous_id', value: `wechat:${oa.appId}:o-ada` })]));
  });

  it('refreshes an expired access_token (42001) and still delivers', async () => {
    wechat.advance(7200);
    await postToHook(subscribeXml('o-bob', 1_700_000_100), '201');
    await waitFor('the second welcome message', () => (wechat.sent.length >= 2 ? true : undefined));
    expect(wechat.sent[1]!.body).toMatchObject({ touser: 'o-bob' });
    expect(wechat.tokensIssued()).toBe(2);
  });

  it('links a mini-program login to the openid and unionid of the user', async () => {
    const response = await app.request('/hooks/wechat-mini/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'code-ada', anonymousId: 'mini-anon-ada' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const profile = await waitFor('the profile of the unionid', () => profileOf('wechat_unionid:union-ada'));
    expect(profile.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'anonymous_id', value: 'mini-anon-ada' }),
        expect.objectContaining({ type: 'wechat_openid', value: 'm-ada' }),
      ]),
    );
  });

  it('answers an invalid login code with a 400 the mini-program can read', async () => {
    const response = await app.request('/hooks/wechat-mini/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'stale', anonymousId: 'a' }) });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('call wx.login() again');
  });
});
