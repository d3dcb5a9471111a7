import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { createAdminHarness, type AdminHarness } from './admin-helpers.js';

const echoPluginPath = fileURLToPath(new URL('./fixtures/echo-plugin.mjs', import.meta.url));
const secretToken = 'tok-apply-secret-4242';

/** A weft.yaml (as the CLI sends it, after `${ENV}` interpolation) with overrides. */
function weftYaml(overrides: { connectors?: unknown[]; pipelines?: unknown[]; plugins?: string[] } = {}) {
  return {
    plugins: overrides.plugins ?? [],
    connectors: overrides.connectors ?? [
      { id: 'web', plugin: 'test-admin', component: 'source', description: 'The shop' },
      { id: 'crm', plugin: 'test-admin', component: 'destination', config: { url: 'http://127.0.0.1:9/crm', token: secretToken }, settings: { concurrency: 2 } },
    ],
    pipelines: overrides.pipelines ?? [{ id: 'orders', sources: ['web'], destinations: [{ connector: 'crm', actions: ['send'] }] }],
  };
}

describe('declarative apply', () => {
  let h: AdminHarness;
  const answers: string[] = [];
  const apply = async (config: unknown, dryRun = false) => {
    const answer = await h.call('POST', '/api/v1/apply', { config, dryRun });
    answers.push(answer.text);
    return answer;
  };
  const actions = (plan: Array<{ action: string; kind: string; id: string; changes?: string[] }>) =>
    plan.map((item) => `${item.action} ${item.kind} ${item.id}${item.changes ? ` (${item.changes.join(', ')})` : ''}`);

  beforeAll(async () => {
    h = await createAdminHarness();
  });
  afterAll(async () => h?.cleanup());

  it('shows the plan of a dry run and changes nothing', async () => {
    const { status, body } = await apply(weftYaml(), true);
    expect(status).toBe(200);
    expect(actions(body.plan)).toEqual(['create connector web', 'create connector crm', 'create pipeline orders']);
    expect(body).toMatchObject({ applied: false, writeKeys: {} });
    expect(await h.t.runtime.connectors.list()).toEqual([]);
  });

  it('creates everything and hands out the new source write key once', async () => {
    const { body } = await apply(weftYaml());
    expect(body.applied).toBe(true);
    expect(actions(body.plan)).toEqual(['create connector web', 'create connector crm', 'create pipeline orders']);
    expect(Object.keys(body.writeKeys)).toEqual(['web']);
    expect(await h.t.runtime.connectors.authenticateWriteKey(body.writeKeys.web)).toBe('web');
    expect((await h.t.runtime.connectors.resolve('crm')).config).toMatchObject({ token: secretToken });
    expect((await h.t.runtime.pipelines.get('orders')).spec.destinations).toEqual([{ connector: 'crm', actions: ['send'] }]);
  });

  it('plans nothing but unchanged when the same file is applied again', async () => {
    const { body } = await apply(weftYaml());
    expect(actions(body.plan)).toEqual(['unchanged connector web', 'unchanged connector crm', 'unchanged pipeline orders']);
    expect(body.writeKeys).toEqual({});
  });

  it('keeps a stored secret the file leaves out, and names a changed secret without showing it', async () => {
    const withoutSecret = weftYaml();
    (withoutSecret.connectors[1] as { config: Record<string, unknown> }).config = { url: 'http://127.0.0.1:9/crm' };
    expect(actions((await apply(withoutSecret)).body.plan)).toContain('unchanged connector crm');

    const rotated = weftYaml();
    (rotated.connectors[1] as { config: Record<string, unknown> }).config.token = 'tok-rotated-secret-7777';
    const dry = await apply(rotated, true);
    expect(actions(dry.body.plan)).toContain('update connector crm (config.token)');
    expect(dry.text).not.toContain('tok-rotated-secret-7777');
    await apply(rotated);
    expect((await h.t.runtime.connectors.resolve('crm')).config.token).toBe('tok-rotated-secret-7777');
    expect(actions((await apply(rotated)).body.plan)).toContain('unchanged connector crm');
    await apply(weftYaml());
  });

  it('names the changed fields of connectors and pipelines', async () => {
    const changed = weftYaml({
      connectors: [
        { id: 'web', plugin: 'test-admin', component: 'source' },
        { id: 'crm', plugin: 'test-admin', component: 'destination', config: { url: 'http://127.0.0.1:9/v2', token: secretToken }, settings: { concurrency: 8 }, enabled: false },
      ],
      pipelines: [{ id: 'orders', description: 'Orders to the CRM', sources: ['web'], destinations: ['crm'] }],
    });
    const { body } = await apply(changed);
    expect(actions(body.plan)).toEqual([
      'update connector web (description)',
      'update connector crm (config.url, settings.concurrency, enabled)',
      'update pipeline orders (description, destinations)',
    ]);
    const crm = await h.t.runtime.connectors.view('crm');
    expect(crm).toMatchObject({ enabled: false, description: null, settings: expect.objectContaining({ concurrency: 8 }) });
    expect(actions((await apply(changed)).body.plan).every((line) => line.startsWith('unchanged'))).toBe(true);
  });

  it('deletes what an earlier apply created once it leaves the file, and nothing else', async () => {
    await h.t.runtime.connectors.create({ id: 'by-hand', plugin: 'test-admin', component: 'destination', config: { url: 'http://127.0.0.1:9/h', token: 'tok-by-hand-1' } });
    const { body } = await apply(weftYaml({ connectors: [{ id: 'web', plugin: 'test-admin', component: 'source' }], pipelines: [] }));
    expect(actions(body.plan)).toEqual(['unchanged connector web', 'delete pipeline orders', 'delete connector crm']);
    expect((await h.t.runtime.connectors.list()).map((c) => c.id)).toEqual(['by-hand', 'web']);
    expect(await h.t.runtime.pipelines.list()).toEqual([]);
  });

  it('refuses to delete a connector a pipeline outside the file still uses, changing nothing', async () => {
    await apply(weftYaml());
    await h.t.runtime.pipelines.create('manual', { spec: { sources: ['web'], destinations: ['crm'] } });
    const { status, body } = await apply(weftYaml({ connectors: [{ id: 'web', plugin: 'test-admin', component: 'source' }], pipelines: [] }));
    expect(status).toBe(400);
    expect(body.error.issues).toEqual([{ path: 'connectors', message: "connector 'crm' left the file, but pipeline 'manual' still uses it" }]);
    expect((await h.t.runtime.pipelines.list()).map((p) => p.id)).toEqual(['manual', 'orders']);
    await h.t.runtime.pipelines.remove('manual');
  });

  it('lists every problem in the file with its path before changing anything', async () => {
    const { status, body } = await apply({
      connectors: [
        { id: 'crm', plugin: 'test-admin', component: 'destination', config: { url: 'not a url', token: secretToken } },
        { id: 'new-one', plugin: 'nope', component: 'destination' },
        { id: 'web', plugin: 'test-admin', component: 'destination', config: { url: 'http://127.0.0.1:9/x', token: 't' } },
      ],
      pipelines: [{ id: 'fresh', sources: ['ghost'] }],
    });
    expect(status).toBe(400);
    expect(body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(['connectors.0.config.url', 'connectors.1.plugin', 'connectors.2.plugin', 'pipelines.0.sources.0']);
    expect((await h.t.runtime.connectors.list()).map((c) => c.id)).not.toContain('new-one');
    expect(await h.t.runtime.pipelines.list()).toHaveLength(1);
  });

  it('rejects a file that does not fit the format, naming the fields', async () => {
    const { status, body } = await apply({ connectors: [{ id: 'a', plugin: 'x' }], segments: [] });
    expect(status).toBe(400);
    expect(body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(['config.connectors.0.component', 'config']);
    const twice = await apply({ connectors: [{ id: 'a', plugin: 'x', component: 'y' }, { id: 'a', plugin: 'x', component: 'y' }] });
    expect(twice.body.error.issues).toEqual([{ path: 'config.connectors.1.id', message: "'a' is already defined at connectors.0" }]);
  });

  it('adds plugins from the file, remembers them, and then uses them', async () => {
    const config = weftYaml({
      plugins: [echoPluginPath],
      connectors: [
        ...weftYaml().connectors,
        { id: 'echo', plugin: 'fixture-echo', component: 'destination' },
      ],
    });
    const dry = await apply(config, true);
    expect(actions(dry.body.plan)).toEqual(expect.arrayContaining([`create plugin ${echoPluginPath}`, 'create connector echo']));
    expect(h.t.runtime.registry.get('fixture-echo')).toBeUndefined();

    const { body } = await apply(config);
    expect(actions(body.plan)).toContain('create connector echo');
    expect(await h.t.runtime.database.query(sql`select specifier, plugin_id from installed_plugins`)).toEqual([{ specifier: echoPluginPath, plugin_id: 'fixture-echo' }]);
    expect(actions((await apply(config)).body.plan)).toContain(`unchanged plugin ${echoPluginPath}`);
  });

  it('records each apply that changed something in the audit log', async () => {
    const { body } = await h.call('GET', '/api/v1/audit?action=apply&limit=500');
    expect(body.entries.length).toBeGreaterThanOrEqual(5);
    expect(body.entries.every((entry: { actor: string }) => entry.actor === 'env')).toBe(true);
  });

  it('never echoed a secret in any answer', () => {
    expect(answers.filter((text) => text.includes(secretToken) || text.includes('tok-rotated-secret-7777'))).toEqual([]);
  });
});
