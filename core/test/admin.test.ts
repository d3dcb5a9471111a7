import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { apiTokens } from '../src/db/schema/index.js';
import { hashToken } from '../src/auth/tokens.js';
import { connectorViewSchema, eventViewSchema, pipelineViewSchema, pluginInfoSchema } from '../src/http/admin/schemas.js';
import { closedPort, createAdminHarness, startCheckServer, type AdminHarness } from './admin-helpers.js';

const goodToken = 'tok-very-secret-0001';

describe('admin API', () => {
  let h: AdminHarness;
  let checkServer: Awaited<ReturnType<typeof startCheckServer>>;
  /** Every response body this file sees, to prove no secret ever leaves the server. */
  const seen: string[] = [];
  const call: AdminHarness['call'] = async (...args) => {
    const answer = await h.call(...args);
    seen.push(answer.text);
    return answer;
  };

  beforeAll(async () => {
    h = await createAdminHarness();
    checkServer = await startCheckServer(goodToken);
  });
  afterAll(async () => {
    await checkServer?.close();
    await h?.cleanup();
  });

  const destination = (id: string, token = goodToken, extra: Record<string, unknown> = {}) => ({
    id,
    plugin: 'test-admin',
    component: 'destination',
    config: { url: checkServer.url, token },
    ...extra,
  });

  describe('authentication', () => {
    it('answers 401 JSON without a bearer token', async () => {
      const { status, body } = await call('GET', '/api/v1/connectors', undefined, { token: null });
      expect(status).toBe(401);
      expect(body.error.code).toBe('unauthorized');
    });

    it('answers 401 for an unknown token', async () => {
      const { status } = await call('GET', '/api/v1/connectors', undefined, { token: 'not-a-real-token-123' });
      expect(status).toBe(401);
    });

    it('lets an analyst token read but not change anything', async () => {
      const analyst = `wt_analyst_${randomUUID()}`;
      await h.t.runtime.db.insert(apiTokens).values({ id: 'analyst-1', name: 'reader', tokenHash: hashToken(analyst), role: 'analyst' });
      expect((await call('GET', '/api/v1/pipelines', undefined, { token: analyst })).status).toBe(200);
      const write = await call('POST', '/api/v1/pipelines', { id: 'nope', spec: { sources: ['x'] } }, { token: analyst });
      expect(write.status).toBe(403);
      expect(write.body.error.code).toBe('forbidden');
    });
  });

  describe('plugins', () => {
    it('lists loaded plugins with their manifests', async () => {
      const { status, body } = await call('GET', '/api/v1/plugins');
      expect(status).toBe(200);
      const plugin = pluginInfoSchema.parse(body.plugins.find((p: { id: string }) => p.id === 'test-admin'));
      expect(plugin.components.find((c) => c.name === 'destination')?.secretFields).toEqual(['token']);
      expect(Array.isArray(body.failures)).toBe(true);
    });

    it('describes one plugin, and 404s an unknown one', async () => {
      expect((await call('GET', '/api/v1/plugins/test-admin')).body.plugin.origin).toBe('installed');
      const missing = await call('GET', '/api/v1/plugins/nope');
      expect(missing.status).toBe(404);
    });

    it('adds a plugin from a path, remembers it for every start, and answers 200 when it is there already', async () => {
      const path = fileURLToPath(new URL('./fixtures/echo-plugin.mjs', import.meta.url));
      const added = await call('POST', '/api/v1/plugins', { specifier: path });
      expect(added.status).toBe(201);
      expect(added.body.plugin).toMatchObject({ id: 'fixture-echo', origin: 'installed', specifier: path });
      expect(await h.t.runtime.database.query(sql`select specifier, plugin_id from installed_plugins`)).toEqual([{ specifier: path, plugin_id: 'fixture-echo' }]);
      expect((await call('POST', '/api/v1/plugins', { specifier: path })).status).toBe(200);
      await h.t.runtime.database.query(sql`delete from installed_plugins`);
    });

    it('refuses to add a plugin that cannot be loaded, with one clear message', async () => {
      const { status, body } = await call('POST', '/api/v1/plugins', { specifier: '/nonexistent/weft-plugin-x' });
      expect(status).toBe(400);
      expect(body.error.message).toContain('/nonexistent/weft-plugin-x');
      const rows = await h.t.runtime.database.query(sql`select * from installed_plugins`);
      expect(rows).toEqual([]);
    });
  });

  describe('connectors', () => {
    it('creates a destination, never showing its secret', async () => {
      const { status, body } = await call('POST', '/api/v1/connectors', destination('out-a', goodToken, { description: 'first' }));
      expect(status).toBe(201);
      const connector = connectorViewSchema.parse(body.connector);
      expect(connector.config).toEqual({ url: checkServer.url, token: '[redacted]', label: 'main' });
      expect(body.writeKey).toBeUndefined();
    });

    it('creates a source with its first write key, shown once', async () => {
      const { status, body } = await call('POST', '/api/v1/connectors', { id: 'src-a', plugin: 'test-admin', component: 'source' });
      expect(status).toBe(201);
      expect(body.writeKey).toMatch(/^wk_/);
      expect(await h.t.runtime.connectors.authenticateWriteKey(body.writeKey)).toBe('src-a');
    });

    it('rejects a body that does not fit, naming the fields', async () => {
      const { status, body } = await call('POST', '/api/v1/connectors', { id: 'bad', plugin: 'test-admin', component: 'destination', config: { url: 'nope' }, colour: 'red' });
      expect(status).toBe(400);
      expect(body.error.issues.map((issue: { path: string }) => issue.path)).toContain('(root)');
      const config = await call('POST', '/api/v1/connectors', { id: 'bad', plugin: 'test-admin', component: 'destination', config: { url: 'nope' } });
      expect(config.status).toBe(400);
      expect(config.body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(expect.arrayContaining(['config.url', 'config.token']));
    });

    it('answers 409 when the id is taken', async () => {
      expect((await call('POST', '/api/v1/connectors', destination('out-a'))).status).toBe(409);
    });

    it('lists connectors filtered by kind', async () => {
      const { body } = await call('GET', '/api/v1/connectors?kind=source');
      expect(body.connectors.map((c: { id: string }) => c.id)).toEqual(['src-a']);
      expect((await call('GET', '/api/v1/connectors?kind=planet')).status).toBe(400);
    });

    it('patches config keeping secrets that are left out', async () => {
      const { status, body } = await call('PATCH', '/api/v1/connectors/out-a', { config: { url: checkServer.url, label: 'renamed' } });
      expect(status).toBe(200);
      expect(body.connector.config.label).toBe('renamed');
      expect((await h.t.runtime.connectors.resolve('out-a')).config.token).toBe(goodToken);
      expect((await call('PATCH', '/api/v1/connectors/ghost', { description: 'x' })).status).toBe(404);
    });

    it('tests a connector: passes with good credentials', async () => {
      const { status, body } = await call('POST', '/api/v1/connectors/out-a/test');
      expect(status).toBe(200);
      expect(body).toMatchObject({ ok: true, message: 'check passed' });
      expect(body.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('tests a connector: says auth failed in one line, without the secret', async () => {
      await call('POST', '/api/v1/connectors', destination('out-bad', 'tok-wrong-secret-9999'));
      const { body } = await call('POST', '/api/v1/connectors/out-bad/test');
      expect(body.ok).toBe(false);
      expect(body.message).toMatch(/^auth failed: Test API answered 401/);
      expect(body.message).not.toContain('\n');
      expect(body.message).not.toContain('tok-wrong-secret-9999');
    });

    it('tests a connector: names the server it cannot reach, not the path or query that may hold a token', async () => {
      const port = await closedPort();
      const url = `http://127.0.0.1:${port}/hooks/path-secret-123?access_token=query-secret-456`;
      await call('POST', '/api/v1/connectors', { ...destination('out-down'), config: { url, token: goodToken } });
      const { body } = await call('POST', '/api/v1/connectors/out-down/test');
      expect(body).toMatchObject({ ok: false, message: `cannot reach http://127.0.0.1:${port}: ECONNREFUSED` });
    });

    it('tests a connector: a URL with credentials fails without quoting them', async () => {
      const port = await closedPort();
      await call('POST', '/api/v1/connectors', { ...destination('out-userinfo'), config: { url: `http://user:pw-in-url@127.0.0.1:${port}/x`, token: goodToken } });
      const { body } = await call('POST', '/api/v1/connectors/out-userinfo/test');
      expect(body.ok).toBe(false);
      expect(body.message).toMatch(new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}: .*credentials`));
      expect(body.message).not.toContain('pw-in-url');
    });

    it('enables only after check() passes, unless forced', async () => {
      await call('POST', '/api/v1/connectors/out-bad/disable');
      const refused = await call('POST', '/api/v1/connectors/out-bad/enable');
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('check_failed');
      expect(refused.body.error.message).toContain('auth failed');
      expect((await h.t.runtime.connectors.view('out-bad')).enabled).toBe(false);

      const forced = await call('POST', '/api/v1/connectors/out-bad/enable?force=true');
      expect(forced.status).toBe(200);
      expect(forced.body.connector).toMatchObject({ enabled: true, status: 'active' });
    });

    it('resumes a paused connector on enable and says why it was paused before', async () => {
      await h.t.runtime.connectors.pause('out-a', 'Test API answered 401 Unauthorized');
      const paused = await call('GET', '/api/v1/connectors/out-a/status');
      expect(paused.body.connector).toMatchObject({ status: 'paused', statusReason: 'Test API answered 401 Unauthorized' });
      const enabled = await call('POST', '/api/v1/connectors/out-a/enable');
      expect(enabled.body.connector).toMatchObject({ status: 'active', statusReason: null });
    });

    it('disables a source so its write key stops working', async () => {
      const [key] = (await call('GET', '/api/v1/connectors/src-a/write-keys')).body.writeKeys;
      expect(key).toMatchObject({ revokedAt: null });
      const disabled = await call('POST', '/api/v1/connectors/src-a/disable');
      expect(disabled.body.connector).toMatchObject({ enabled: false, status: 'disabled' });
      await call('POST', '/api/v1/connectors/src-a/enable');
    });

    it('issues, lists and revokes write keys', async () => {
      const issued = await call('POST', '/api/v1/connectors/src-a/write-keys');
      expect(issued.status).toBe(201);
      expect(issued.body.key.startsWith(issued.body.prefix)).toBe(true);
      const listed = await call('GET', '/api/v1/connectors/src-a/write-keys');
      expect(listed.body.writeKeys).toHaveLength(2);
      expect(JSON.stringify(listed.body)).not.toContain(issued.body.key);
      expect((await call('DELETE', `/api/v1/connectors/src-a/write-keys/${issued.body.id}`)).status).toBe(204);
      expect(await h.t.runtime.connectors.authenticateWriteKey(issued.body.key)).toBeUndefined();
      expect((await call('DELETE', `/api/v1/connectors/src-a/write-keys/${issued.body.id}`)).status).toBe(404);
      expect((await call('POST', '/api/v1/connectors/out-a/write-keys')).status).toBe(400);
    });

    it('reads one connector, and answers 404 on every route for one that does not exist', async () => {
      const { status, body } = await call('GET', '/api/v1/connectors/out-a');
      expect(status).toBe(200);
      expect(connectorViewSchema.parse(body.connector).id).toBe('out-a');
      const routes: Array<[string, string]> = [
        ['GET', ''],
        ['DELETE', ''],
        ['POST', '/enable'],
        ['POST', '/disable'],
        ['POST', '/test'],
        ['GET', '/status'],
        ['GET', '/write-keys'],
        ['POST', '/write-keys'],
        ['POST', '/events'],
      ];
      for (const [method, rest] of routes) {
        const answer = await call(method, `/api/v1/connectors/ghost${rest}`, method === 'POST' && rest === '/events' ? { type: 'track', event: 'x', userId: 'u' } : undefined);
        expect([method, rest, answer.status, answer.body.error.message]).toEqual([method, rest, 404, "Connector 'ghost' does not exist"]);
      }
    });

    it('refuses to delete a connector a pipeline uses (409), then deletes it', async () => {
      await call('POST', '/api/v1/connectors', destination('out-tmp'));
      await call('POST', '/api/v1/pipelines', { id: 'tmp', spec: { sources: ['src-a'], destinations: ['out-tmp'] } });
      const refused = await call('DELETE', '/api/v1/connectors/out-tmp');
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain("'tmp'");
      await call('DELETE', '/api/v1/pipelines/tmp');
      expect((await call('DELETE', '/api/v1/connectors/out-tmp')).status).toBe(204);
      expect((await call('GET', '/api/v1/connectors/out-tmp')).status).toBe(404);
    });
  });

  describe('pipelines', () => {
    it('creates, reads, changes and deletes a pipeline', async () => {
      await call('POST', '/api/v1/connectors', { id: 'tidy', plugin: 'test-admin', component: 'tidy' });
      const created = await call('POST', '/api/v1/pipelines', { id: 'main', spec: { sources: ['src-a'], transforms: ['tidy'], destinations: [{ connector: 'out-a', actions: ['send'] }] } });
      expect(created.status).toBe(201);
      expect(pipelineViewSchema.parse(created.body.pipeline).spec.transforms).toEqual([{ connector: 'tidy', onError: 'fail' }]);
      expect((await call('GET', '/api/v1/pipelines/main')).body.pipeline.id).toBe('main');
      const patched = await call('PATCH', '/api/v1/pipelines/main', { description: 'all orders', enabled: false });
      expect(patched.body.pipeline).toMatchObject({ description: 'all orders', enabled: false });
      expect((await call('GET', '/api/v1/pipelines')).body.pipelines.map((p: { id: string }) => p.id)).toEqual(['main']);
      expect((await call('DELETE', '/api/v1/pipelines/main')).status).toBe(204);
      expect((await call('GET', '/api/v1/pipelines/main')).status).toBe(404);
    });

    it('rejects a pipeline naming a missing connector, with the field', async () => {
      const { status, body } = await call('POST', '/api/v1/pipelines', { id: 'broken', spec: { sources: ['ghost'] } });
      expect(status).toBe(400);
      expect(body.error.issues).toEqual([{ path: 'spec.sources.0', message: "connector 'ghost' does not exist" }]);
    });
  });

  describe('events', () => {
    it('ingests events on behalf of a source and lists them', async () => {
      const sent = await call('POST', '/api/v1/connectors/src-a/events', {
        batch: [
          { type: 'track', event: 'Order Completed', userId: 'u1', messageId: 'm-1' },
          { type: 'identify', userId: 'u1', traits: { plan: 'pro' }, messageId: 'm-2' },
        ],
      });
      expect(sent.status).toBe(200);
      expect(sent.body).toEqual({ accepted: 2, duplicates: 0 });
      const again = await call('POST', '/api/v1/connectors/src-a/events', { type: 'track', event: 'Order Completed', userId: 'u1', messageId: 'm-1' });
      expect(again.body).toEqual({ accepted: 0, duplicates: 1 });

      const listed = await call('GET', '/api/v1/events?source=src-a');
      expect(listed.body.events.map((e: { messageId: string }) => e.messageId)).toEqual(['m-2', 'm-1']);
      eventViewSchema.parse(listed.body.events[0]);
      const tracks = await call('GET', '/api/v1/events?type=track');
      expect(tracks.body.events.map((e: { messageId: string }) => e.messageId)).toEqual(['m-1']);
    });

    it('refuses invalid events with field issues, and non-sources', async () => {
      const invalid = await call('POST', '/api/v1/connectors/src-a/events', { type: 'track', userId: 'u1' });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.issues).toEqual([expect.objectContaining({ path: 'event' })]);
      expect((await call('POST', '/api/v1/connectors/out-a/events', { type: 'track', event: 'x', userId: 'u1' })).status).toBe(400);
    });

    it('pages with after (ascending, for tailing) and before (descending)', async () => {
      const batch = Array.from({ length: 5 }, (_, i) => ({ type: 'track', event: 'Page Step', userId: 'u2', messageId: `p-${i}` }));
      await call('POST', '/api/v1/connectors/src-a/events', { batch });
      const all = (await call('GET', '/api/v1/events?source=src-a&limit=500')).body.events as Array<{ id: number }>;
      const ids = all.map((e) => e.id).sort((a, b) => a - b);
      const page = await call('GET', `/api/v1/events?after=${ids[1]}&limit=2`);
      expect(page.body.events.map((e: { id: number }) => e.id)).toEqual([ids[2], ids[3]]);
      expect(page.body.nextCursor).toBe(String(ids[3]));
      const older = await call('GET', `/api/v1/events?before=${ids[3]}&limit=2`);
      expect(older.body.events.map((e: { id: number }) => e.id)).toEqual([ids[2], ids[1]]);
      const last = await call('GET', `/api/v1/events?after=${ids.at(-1)}`);
      expect(last.body).toEqual({ events: [], nextCursor: null });
      expect((await call('GET', '/api/v1/events?limit=501')).status).toBe(400);
    });

    it('gets one event with its deliveries, and 404s a missing one', async () => {
      const [event] = (await call('GET', '/api/v1/events?source=src-a&limit=1')).body.events;
      await h.t.runtime.database.query(sql`
        insert into deliveries (connector_id, action, idempotency_key, event_id, message_id, payload)
        values ('out-a', 'send', ${`k-${event.id}`}, ${event.id}, ${event.messageId}, '{}'::jsonb)`);
      const { status, body } = await call('GET', `/api/v1/events/${event.id}`);
      expect(status).toBe(200);
      expect(body.event.id).toBe(event.id);
      expect(body.deliveries).toEqual([expect.objectContaining({ connectorId: 'out-a', status: 'pending', eventId: event.id })]);
      expect((await call('GET', '/api/v1/events/999999')).status).toBe(404);
      expect((await call('GET', '/api/v1/events/abc')).status).toBe(404);
    });

    it('reports intake in a source status', async () => {
      const { body } = await call('GET', '/api/v1/connectors/src-a/status');
      expect(body.ingest.events).toBe(7);
      expect(Date.parse(body.ingest.lastEventAt)).not.toBeNaN();
      expect(body.queue).toBeUndefined();
    });

    it('shows where each event stands in the pipeline queue, and filters by it', async () => {
      const [newest, failed, routed] = (await call('GET', '/api/v1/events?source=src-a&limit=3')).body.events as Array<{ id: number }>;
      // As the pipeline worker leaves them: a routed event's queue row is gone, a failed one's kept.
      await h.t.runtime.database.query(sql`delete from event_queue where event_id = ${routed!.id}`);
      await h.t.runtime.database.query(sql`
        update event_queue set state = 'failed', attempts = 1, error = 'transform tag-a failed: boom', failed_at = now() where event_id = ${failed!.id}`);
      const view = async (id: number) => (await call('GET', `/api/v1/events/${id}`)).body.event;
      expect(await view(routed!.id)).toMatchObject({ state: 'done', attempts: null, error: null, failedAt: null });
      expect(await view(failed!.id)).toMatchObject({ state: 'failed', attempts: 1, error: 'transform tag-a failed: boom', failedAt: expect.any(String) });
      expect(await view(newest!.id)).toMatchObject({ state: 'pending', attempts: 0, error: null, failedAt: null });
      const ids = async (state: string) => ((await call('GET', `/api/v1/events?source=src-a&state=${state}&limit=500`)).body.events as Array<{ id: number }>).map((e) => e.id);
      expect(await ids('done')).toEqual([routed!.id]);
      expect(await ids('failed')).toEqual([failed!.id]);
      expect(await ids('pending')).toHaveLength(5);
      expect((await call('GET', '/api/v1/connectors/src-a/status')).body.recentErrors).toEqual([{ at: expect.any(String), error: 'transform tag-a failed: boom' }]);
    });
  });

  describe('audit log', () => {
    it('records changes with the token as actor, without secrets', async () => {
      const { body } = await call('GET', '/api/v1/audit?target=connector:out-a&limit=500');
      const actions = body.entries.map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['connector.create', 'connector.update', 'connector.enable']));
      expect(body.entries.every((e: { actor: string }) => e.actor === 'env')).toBe(true);
      const rows = await h.t.runtime.database.query(sql`select * from audit_log`);
      expect(JSON.stringify(rows)).not.toContain(goodToken);
    });
  });

  it('never answered with a secret (checked over every answer above)', () => {
    expect(seen.length).toBeGreaterThan(40);
    expect(seen.filter((text) => text.includes(goodToken) || text.includes('tok-wrong-secret-9999'))).toEqual([]);
  });
});
