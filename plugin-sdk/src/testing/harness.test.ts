import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction, defineDestination, defineIdentityResolver, defineSource, defineTransform, fail, ok } from '../components.js';
import { secret } from '../config.js';
import { AuthError, classifyHttpResponse, ValidationError } from '../errors.js';
import { idempotencyKey } from '../execute.js';
import { definePlugin } from '../plugin.js';
import { makeEvent } from './connector.js';
import { createMemoryStore } from './context.js';
import { startFakeServer, type FakeServer } from './fake-server.js';
import { createHarness } from './harness.js';

let vendor: FakeServer | undefined;
const startVendor = async (...args: Parameters<typeof startFakeServer>) => (vendor = await startFakeServer(...args));
afterEach(async () => {
  await vendor?.close();
  vendor = undefined;
});

const config = z.object({ baseUrl: z.url(), apiKey: secret(), listId: z.string().default('main') });

/** A list destination: batched adds answered per item by the vendor, and one-by-one notes. */
const lists = defineDestination({
  description: 'Adds people to a mailing list',
  config,
  async check(ctx) {
    const response = await ctx.fetch(`${ctx.config.baseUrl}/me`, { headers: { authorization: `Bearer ${ctx.config.apiKey}` } });
    const error = await classifyHttpResponse(response, 'Lists');
    if (error) throw error;
  },
  actions: {
    subscribe: defineAction(config, {
      description: 'Subscribe',
      types: ['identify'],
      payload: z.object({ email: z.email(), list: z.string() }),
      defaultMapping: (event) => ({ email: event.traits?.['email'], list: event.traits?.['list'] ?? 'main' }),
      batch: { maxItems: 2, key: (payload) => payload.list },
      async performBatch(items, ctx) {
        ctx.logger.info('subscribing', { count: items.length });
        const response = await ctx.fetch(`${ctx.config.baseUrl}/subscribe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.config.apiKey}` },
          body: JSON.stringify(items.map((item) => item.payload)),
        });
        const error = await classifyHttpResponse(response, 'Lists');
        if (error) throw error;
        const { rejected } = (await response.json()) as { rejected: string[] };
        return items.map((item) => (rejected.includes(item.payload.email) ? fail(`Lists refused ${item.payload.email}`) : ok()));
      },
    }),
    note: defineAction(config, {
      description: 'Note',
      payload: z.object({ text: z.string() }),
      defaultMapping: (event) => ({ text: event.event ?? event.type }),
      async perform(item, ctx) {
        const response = await ctx.fetch(`${ctx.config.baseUrl}/notes`, { method: 'POST', headers: { 'idempotency-key': item.idempotencyKey }, body: item.payload.text });
        const error = await classifyHttpResponse(response, 'Lists');
        if (error) throw error;
      },
    }),
  },
});

const plugin = definePlugin({
  id: 'lists',
  version: '0.1.0',
  sdk: '^0.1.0',
  description: 'Mailing lists',
  components: {
    lists,
    'drop-tests': defineTransform({
      description: 'Drops test users and splits orders',
      config: z.object({ prefix: z.string() }),
      prepare: (ctx) => new RegExp(`^${ctx.config.prefix}`),
      transform(event, ctx) {
        const testUser = ctx.prepared as RegExp;
        if (testUser.test(event.userId ?? '')) return null;
        if (event.event === 'Order') return [event, { ...event, event: 'Order Copy', messageId: `${event.messageId}-copy` }];
        return event;
      },
    }),
    emails: defineIdentityResolver({
      description: 'Emails',
      config: z.object({}),
      identifiers: (event) => (typeof event.traits?.['email'] === 'string' ? [{ type: 'email', value: event.traits['email'].toLowerCase() }] : []),
    }),
    inbox: defineSource({
      description: 'Signed JSON events and a pulled feed',
      config: z.object({ baseUrl: z.url(), token: secret() }),
      async handle(request, ctx) {
        if (request.headers.get('x-token') !== ctx.config.token) throw new AuthError('the x-token header does not match');
        const body = (await request.json().catch(() => undefined)) as { events?: unknown } | undefined;
        if (!Array.isArray(body?.events)) throw new ValidationError('the body needs an events array');
        return { events: body.events, ...(new URL(request.url).searchParams.has('echo') ? { response: new Response('echo') } : {}) };
      },
      streams: {
        feed: {
          async *read(ctx) {
            let page = ctx.cursor ? Number(ctx.cursor.value) : 0;
            for (;;) {
              const response = await ctx.fetch(`${ctx.config.baseUrl}/feed?page=${page + 1}`);
              const { items } = (await response.json()) as { items: Array<{ id: string; user: string }> };
              if (items.length === 0) return;
              for (const item of items) yield { record: { type: 'track', event: 'Feed Item', userId: item.user, messageId: item.id } };
              page += 1;
              yield { checkpoint: { value: page, id: items.at(-1)!.id } };
            }
          },
        },
      },
    }),
  },
});

const harness = createHarness(plugin, { timeoutMs: 2_000 });
const person = (email: string, list?: string) => ({ type: 'identify' as const, userId: email, traits: { email, ...(list ? { list } : {}) } });

describe('createHarness', () => {
  it('refuses a plugin the host would refuse, naming the problems', () => {
    expect(() => createHarness({ ...plugin, sdk: '^9.0.0' })).toThrow("Plugin 'lists' would not load: it needs @weft/plugin-sdk ^9.0.0, but this Weft provides 0.1.0");
  });

  it('names an unknown component, and a component of another kind', () => {
    expect(() => harness.destination('nope', { config: {} })).toThrow("Plugin 'lists' has no component 'nope' (it has: lists, drop-tests, emails, inbox)");
    expect(() => harness.destination('inbox', { config: {} })).toThrow("Component 'lists/inbox' is a source, not a destination");
  });

  it('parses the config with the component schema, naming each bad field and never echoing a secret', () => {
    const attempt = () => harness.destination('lists', { config: { baseUrl: 'not a url', apiKey: '' } });
    expect(attempt).toThrow(/^Config for 'lists\/lists' is invalid: baseUrl: .+; apiKey: .+$/);
    expect(harness.destination('lists', { config: { baseUrl: 'http://127.0.0.1:1', apiKey: 'k-12345' } }).config).toEqual({
      baseUrl: 'http://127.0.0.1:1',
      apiKey: 'k-12345',
      listId: 'main',
    });
  });

  it('exposes the secret values of the config', () => {
    expect(harness.destination('lists', { config: { baseUrl: 'http://127.0.0.1:1', apiKey: 'k-12345' } }).secretValues).toEqual(['k-12345']);
  });
});

describe('a destination in the harness', () => {
  const open = (baseUrl: string) => harness.destination('lists', { config: { baseUrl, apiKey: 'k-12345' }, connectorId: 'lists-prod' });

  it('maps, batches by key and size, and returns per-item results in input order', async () => {
    const server = await startVendor({ 'POST /subscribe': { json: { rejected: ['bad@example.com'] } } });
    const events = [person('a@example.com'), person('b@example.com', 'vip'), person('bad@example.com'), person('c@example.com')];
    const run = await open(server.url).send('subscribe', events);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'ok', 'fail', 'ok']);
    expect(run.results[2]).toMatchObject({ status: 'fail', reason: 'Lists refused bad@example.com' });
    expect(run.batches.map((batch) => batch.map((item) => (item.payload as { email: string }).email))).toEqual([
      ['a@example.com', 'bad@example.com'],
      ['c@example.com'],
      ['b@example.com'],
    ]);
    expect(server.requests.map((request) => request.json)).toEqual([
      [
        { email: 'a@example.com', list: 'main' },
        { email: 'bad@example.com', list: 'main' },
      ],
      [{ email: 'c@example.com', list: 'main' }],
      [{ email: 'b@example.com', list: 'vip' }],
    ]);
  });

  it("gives each item the host's idempotency key for its connector, action and event", async () => {
    const server = await startVendor();
    const run = await open(server.url).send('note', [{ type: 'track', event: 'Hello', userId: 'u1', messageId: 'm-1' }]);
    const key = idempotencyKey({ connectorId: 'lists-prod', action: 'note', messageId: 'm-1' });
    expect(run.results).toEqual([{ status: 'ok', messageId: 'm-1', idempotencyKey: key }]);
    expect(server.requests[0]!.headers['idempotency-key']).toBe(key);
  });

  it('fails an item whose payload does not match, without calling the vendor for it', async () => {
    const server = await startVendor({ json: { rejected: [] } });
    const run = await open(server.url).send('subscribe', [person('not-an-email'), person('d@example.com')]);
    expect(run.results[0]).toMatchObject({ status: 'fail', reason: expect.stringMatching(/^payload does not match the action's schema: email: /) });
    expect(run.results[1]!.status).toBe('ok');
    expect(server.requests.map((request) => request.json)).toEqual([[{ email: 'd@example.com', list: 'main' }]]);
  });

  it('takes mapped payloads in place of the default mapping, still validating them', async () => {
    const server = await startVendor({ json: { rejected: [] } });
    const run = await open(server.url).send('subscribe', [person('x@example.com'), person('y@example.com')], {
      payloads: [{ email: 'mapped@example.com', list: 'other' }, { email: 'nope' }],
    });
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'fail']);
    expect(server.requests[0]!.json).toEqual([{ email: 'mapped@example.com', list: 'other' }]);
    await expect(open(server.url).send('subscribe', [person('x@example.com')], { payloads: [] })).rejects.toThrow(
      "send('subscribe'): got 0 payloads for 1 events; give one per event",
    );
  });

  it('classifies what the action throws as the host does: 401 pauses, 503 retries', async () => {
    const server = await startVendor({ status: 401 });
    const connector = open(server.url);
    expect((await connector.send('subscribe', [person('a@example.com')])).results[0]).toMatchObject({ status: 'pause', reason: 'Lists answered 401 Unauthorized' });
    server.respond({ status: 503, headers: { 'retry-after': '3' } });
    expect((await connector.send('note', [{ type: 'page', userId: 'u1' }])).results[0]).toMatchObject({ status: 'retry', retryAfterMs: 3_000 });
  });

  it('times out a vendor that never answers, and the item is retried', async () => {
    const server = await startVendor({ hang: true });
    const connector = harness.destination('lists', { config: { baseUrl: server.url, apiKey: 'k-12345' }, timeoutMs: 200 });
    const run = await connector.send('note', [{ type: 'page', userId: 'u1' }]);
    expect(run.results[0]).toMatchObject({ status: 'retry', reason: 'TimeoutError: request timed out after 200 ms' });
    expect(run.requests[0]).toMatchObject({ method: 'POST', error: 'request timed out after 200 ms' });
  });

  it('records the requests and log lines of each send, and keeps all of them on the connector', async () => {
    const server = await startVendor({ json: { rejected: [] } });
    const connector = open(server.url);
    const first = await connector.send('subscribe', [person('a@example.com')]);
    const second = await connector.send('subscribe', [person('b@example.com'), person('c@example.com')]);
    expect(first.logs).toEqual([{ level: 'info', message: 'subscribing', fields: { count: 1 } }]);
    expect(second.requests).toEqual([
      expect.objectContaining({ method: 'POST', url: `${server.url}/subscribe`, status: 200, body: '[{"email":"b@example.com","list":"main"},{"email":"c@example.com","list":"main"}]' }),
    ]);
    expect(second.requests[0]!.headers['authorization']).toBe('Bearer k-12345');
    expect(connector.logs).toHaveLength(2);
    expect(connector.requests).toHaveLength(2);
  });

  it('refuses an unknown action and an invalid test event, naming them', async () => {
    const connector = open('http://127.0.0.1:1');
    await expect(connector.send('unsubscribe', [])).rejects.toThrow("Destination 'lists/lists' has no action 'unsubscribe' (it has: subscribe, note)");
    await expect(connector.send('note', [{ type: 'track', userId: 'u1' }])).rejects.toThrow('The test event is not a valid event: event: track events need an event name');
  });
});

describe('check() in the harness', () => {
  it('passes when the vendor accepts the credentials', async () => {
    const server = await startVendor({ '/me': { json: { id: 1 } } });
    expect(await harness.check('lists', { baseUrl: server.url, apiKey: 'k-12345' })).toMatchObject({ ok: true, requests: [expect.objectContaining({ status: 200 })] });
  });

  it("reports the error's kind and message when they are refused", async () => {
    const server = await startVendor({ status: 401, body: 'bad key' });
    const outcome = await harness.check('lists', { baseUrl: server.url, apiKey: 'k-12345' });
    expect(outcome).toMatchObject({ ok: false, kind: 'auth', message: 'Lists answered 401 Unauthorized: bad key' });
  });

  it('passes for a component without check()', async () => {
    expect(await harness.check('emails', {})).toMatchObject({ ok: true });
  });
});

describe('a transform in the harness', () => {
  it('prepares once, then keeps, drops or splits events', async () => {
    const transform = harness.transform('drop-tests', { config: { prefix: 'test-' } });
    const kept = await transform.run({ type: 'track', event: 'Signed Up', userId: 'u1' });
    expect(kept.events).toEqual([expect.objectContaining({ event: 'Signed Up', userId: 'u1' })]);
    const dropped = await transform.run({ type: 'track', event: 'Signed Up', userId: 'test-7' });
    expect(dropped).toMatchObject({ events: [], result: null });
    const split = await transform.run({ type: 'track', event: 'Order', userId: 'u2', messageId: 'o-1' });
    expect(split.events.map((event) => [event.event, event.messageId])).toEqual([
      ['Order', 'o-1'],
      ['Order Copy', 'o-1-copy'],
    ]);
  });

  it('hands transform an ingested event: messageId, receivedAt and timestamp filled in', async () => {
    const transform = harness.transform('drop-tests', { config: { prefix: 'x' } });
    const [event] = (await transform.run({ type: 'page', userId: 'u1', receivedAt: '2024-01-01T00:00:00.000Z' })).events;
    expect(event).toMatchObject({ messageId: expect.any(String), receivedAt: '2024-01-01T00:00:00.000Z', timestamp: '2024-01-01T00:00:00.000Z' });
  });
});

describe('an identity resolver in the harness', () => {
  it('returns the identifiers of an event', async () => {
    const resolver = harness.identityResolver('emails', { config: {} });
    expect((await resolver.identifiers(person('Ada@Example.com'))).identifiers).toEqual([{ type: 'email', value: 'ada@example.com' }]);
  });
});

describe('a source in the harness', () => {
  const open = () => harness.source('inbox', { config: { baseUrl: vendor!.url, token: 'tok-123456' }, connectorId: 'inbox-1' });

  it("hands handle() a real Request to the connector's hook URL, answering 200 success by default", async () => {
    await startVendor();
    const run = await open().handle({ path: '/events', headers: { 'x-token': 'tok-123456' }, body: { events: [{ type: 'page', userId: 'u1' }] } });
    expect(run.events).toEqual([{ type: 'page', userId: 'u1' }]);
    expect(run.invalid).toEqual([]);
    expect([run.response.status, await run.response.json()]).toEqual([200, { success: true }]);
    expect(open().hookUrl('/events?x=1')).toBe('http://127.0.0.1/hooks/inbox-1/events?x=1');
  });

  it("passes the plugin's own response through", async () => {
    await startVendor();
    const run = await open().handle(new Request('http://127.0.0.1/hooks/inbox-1/?echo', { method: 'POST', headers: { 'x-token': 'tok-123456' }, body: '{"events":[]}' }));
    expect(await run.response.text()).toBe('echo');
  });

  it('lists the events ingest would reject, with their field errors', async () => {
    await startVendor();
    const run = await open().handle({ headers: { 'x-token': 'tok-123456' }, body: { events: [{ type: 'page', userId: 'u1' }, { type: 'track', userId: 'u2' }] } });
    expect(run.invalid).toEqual([{ index: 1, issues: ['event: track events need an event name'] }]);
  });

  it('lets the errors handle() throws reach the test', async () => {
    await startVendor();
    await expect(open().handle({ headers: { 'x-token': 'wrong' }, body: {} })).rejects.toBeInstanceOf(AuthError);
    await expect(open().handle({ headers: { 'x-token': 'tok-123456' }, body: 'nope' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('reads a pull stream to its end, collecting records and checkpoints', async () => {
    await startVendor((request) => {
      const pages: Record<string, unknown[]> = { '1': [{ id: 'a', user: 'u1' }, { id: 'b', user: 'u2' }], '2': [{ id: 'c', user: 'u3' }] };
      return { json: { items: pages[request.query['page']!] ?? [] } };
    });
    const run = await open().read('feed');
    expect(run.records.map((record) => record.messageId)).toEqual(['a', 'b', 'c']);
    expect(run.checkpoints).toEqual([
      { value: 1, id: 'b' },
      { value: 2, id: 'c' },
    ]);
    expect(run.cursor).toEqual({ value: 2, id: 'c' });
    expect(run.invalid).toEqual([]);
  });

  it('resumes a stream from a cursor', async () => {
    await startVendor((request) => ({ json: { items: request.query['page'] === '2' ? [{ id: 'c', user: 'u3' }] : [] } }));
    const run = await open().read('feed', { cursor: { value: 1, id: 'b' } });
    expect(run.records.map((record) => record.messageId)).toEqual(['c']);
    expect(vendor!.requests.map((request) => request.query['page'])).toEqual(['2', '3']);
  });

  it('names an unknown stream', async () => {
    await startVendor();
    await expect(open().read('orders')).rejects.toThrow("Source 'lists/inbox' has no stream 'orders' (it has: feed)");
  });
});

describe('the in-memory store', () => {
  it('forgets a value once its TTL has passed', async () => {
    let now = 1_000;
    const store = createMemoryStore(() => now);
    await store.set('token', 'abc', { ttlMs: 500 });
    await store.set('forever', 1);
    now = 1_499;
    expect(await store.get('token')).toBe('abc');
    now = 1_500;
    expect(await store.get('token')).toBeUndefined();
    expect(await store.get('forever')).toBe(1);
  });

  it('stores values as JSON, as the host store does', async () => {
    const store = createMemoryStore();
    const value = { at: new Date('2024-01-01T00:00:00.000Z'), list: [1] };
    await store.set('k', value);
    value.list.push(2);
    expect(await store.get('k')).toEqual({ at: '2024-01-01T00:00:00.000Z', list: [1] });
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
  });

  it('is the one the connector context carries', async () => {
    const connector = harness.destination('lists', { config: { baseUrl: 'http://127.0.0.1:1', apiKey: 'k-12345' } });
    await connector.context.store.set('cursor', 5);
    expect(await connector.store.get('cursor')).toBe(5);
  });
});

describe('makeEvent', () => {
  it('fills in what ingest adds', () => {
    expect(makeEvent({ type: 'page', userId: 'u1' }, new Date('2024-02-02T00:00:00.000Z'))).toMatchObject({
      type: 'page',
      userId: 'u1',
      messageId: expect.any(String),
      receivedAt: '2024-02-02T00:00:00.000Z',
      timestamp: '2024-02-02T00:00:00.000Z',
    });
  });
});
