import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { IngestWriter } from '../src/ingest/writer.js';
import { createAdminHarness, type AdminHarness } from './admin-helpers.js';
import { graphPartition, sendTo } from './identity-support.js';

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
    expect(body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(['connectors.0.component', '(root)']);
    const twice = await apply({ connectors: [{ id: 'a', plugin: 'x', component: 'y' }, { id: 'a', plugin: 'x', component: 'y' }] });
    expect(twice.body.error.issues).toEqual([{ path: 'connectors.1.id', message: "'a' is already defined at connectors.0" }]);
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

describe('declarative apply of the identity configuration', () => {
  let h: AdminHarness;
  const apply = (config: unknown, dryRun = false) => h.call('POST', '/api/v1/apply', { config, dryRun });
  const actions = (plan: Array<{ action: string; kind: string; id: string; changes?: string[] }>) =>
    plan.map((item) => `${item.action} ${item.kind} ${item.id}${item.changes ? ` (${item.changes.join(', ')})` : ''}`);
  const sources = [
    { id: 'web', plugin: 'test-admin', component: 'source' },
    { id: 'crm', plugin: 'test-admin', component: 'source' },
  ];
  const memberNo = { type: 'member_no', limit: 1, priority: 95, normalizer: 'trim' };
  const email = { type: 'email', blocked: ['shared-inbox@example.org'], blockedPatterns: ['@mailinator\\.com$'] };
  const withIdentity = (identity: Record<string, unknown>) => ({ identity, connectors: sources });
  const identityFile = withIdentity({ types: [memberNo, email], traitPrecedence: [{ traits: ['email', 'phone'], sources: ['crm', 'web'] }] });

  beforeAll(async () => {
    h = await createAdminHarness();
  });
  afterAll(async () => h?.cleanup());

  it('plans identifier types and trait precedence in a dry run, changing nothing', async () => {
    const { status, body } = await apply(identityFile, true);
    expect(status).toBe(200);
    expect(actions(body.plan)).toEqual([
      'create identifier-type member_no',
      'update identifier-type email (blocked, blockedPatterns)',
      'create identity-settings traitPrecedence',
      'create connector web',
      'create connector crm',
    ]);
    expect((await h.t.runtime.identityTypes.list()).map((type) => type.type)).not.toContain('member_no');
    expect((await h.t.runtime.identityTypes.get('email')).blockedPatterns).toEqual(['^(no-?reply|donotreply|mailer-daemon)@']);
    expect(await h.t.runtime.identity.traitPrecedence()).toEqual([]);
  });

  it('creates a custom identifier type and overrides a built-in one, keeping the fields the file leaves out', async () => {
    expect((await apply(identityFile)).body.applied).toBe(true);
    expect(await h.t.runtime.identityTypes.get('member_no')).toEqual({
      type: 'member_no',
      scoped: false,
      normalizer: 'trim',
      limit: 1,
      priority: 95,
      blocked: expect.any(Array),
      blockedPatterns: [],
      builtIn: false,
    });
    expect(await h.t.runtime.identityTypes.get('email')).toMatchObject({ normalizer: 'email', limit: 10, priority: 80, blocked: email.blocked, blockedPatterns: email.blockedPatterns, builtIn: true });
  });

  it('sets the trait precedence the file gives', async () => {
    expect(await h.t.runtime.identity.traitPrecedence()).toEqual([{ traits: ['email', 'phone'], sources: ['crm', 'web'] }]);
  });

  it('plans nothing but unchanged when the same file is applied again', async () => {
    const { body } = await apply(identityFile);
    expect(actions(body.plan)).toEqual([
      'unchanged identifier-type member_no',
      'unchanged identifier-type email',
      'unchanged identity-settings traitPrecedence',
      'unchanged connector web',
      'unchanged connector crm',
    ]);
  });

  it('names the changed fields of a type and the changed precedence rules', async () => {
    const changed = withIdentity({
      types: [{ ...memberNo, priority: 96 }, email],
      traitPrecedence: [{ traits: ['email', 'phone'], sources: ['crm', 'web'] }, { sources: ['web'] }],
    });
    const { body } = await apply(changed);
    expect(actions(body.plan).slice(0, 3)).toEqual(['update identifier-type member_no (priority)', 'unchanged identifier-type email', 'update identity-settings traitPrecedence (rules.1)']);
    expect((await h.t.runtime.identityTypes.get('member_no')).priority).toBe(96);
    expect(await h.t.runtime.identity.traitPrecedence()).toEqual([{ traits: ['email', 'phone'], sources: ['crm', 'web'] }, { sources: ['web'] }]);
    await apply(identityFile);
  });

  it('leaves alone a type that left the file, and the precedence when the file gives none', async () => {
    const { body } = await apply(withIdentity({ types: [email] }));
    expect(actions(body.plan)).toEqual(['unchanged identifier-type email', 'unchanged connector web', 'unchanged connector crm']);
    expect((await h.t.runtime.identityTypes.get('member_no')).limit).toBe(1);
    expect(await h.t.runtime.identity.traitPrecedence()).toHaveLength(1);
  });

  it('resolves events with the applied types: the custom limit keeps two members apart, the blocked pattern links nothing', async () => {
    await sendTo(new IngestWriter(h.t.runtime), 'web', [
      { type: 'identify', anonymousId: 'anon-1', traits: { email: 'family@example.org' }, context: { externalIds: [{ type: 'member_no', id: 'M-1' }] } },
      { type: 'identify', anonymousId: 'anon-2', traits: { email: 'family@example.org' }, context: { externalIds: [{ type: 'member_no', id: 'M-2' }] } },
      { type: 'identify', anonymousId: 'anon-3', traits: { email: 'burner@mailinator.com' } },
    ]);
    const worker = new PipelineWorker(h.t.runtime);
    while ((await worker.processBatch()) > 0);
    const partition = await graphPartition(h.t.runtime);
    expect(partition).toContainEqual(['anonymous_id:anon-3']);
    expect(partition.filter((ids) => ids.some((id) => id.startsWith('member_no:')))).toEqual([
      ['anonymous_id:anon-1', 'email:family@example.org', 'member_no:M-1'],
      ['anonymous_id:anon-2', 'member_no:M-2'],
    ]);
  });

  it('refuses a type defined twice, or an invalid field, naming its path in the file', async () => {
    const twice = await apply(withIdentity({ types: [email, memberNo, { type: 'email', limit: 2 }] }));
    expect(twice.status).toBe(400);
    expect(twice.body.error.issues).toEqual([{ path: 'identity.types.2.type', message: "'email' is already defined at identity.types.0" }]);
    const invalid = await apply(withIdentity({ types: [{ type: 'Member No' }, { type: 'member_no', limit: 0 }] }));
    expect(invalid.body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(['identity.types.0.type', 'identity.types.1.limit']);
    expect((await h.t.runtime.identityTypes.get('member_no')).limit).toBe(1);
  });

  it('refuses trait precedence naming a connector that does not exist, changing nothing', async () => {
    const { status, body } = await apply(withIdentity({ types: [{ ...memberNo, limit: 2 }], traitPrecedence: [{ sources: ['crm', 'wbe'] }] }));
    expect(status).toBe(400);
    expect(body.error.issues).toEqual([{ path: 'identity.traitPrecedence.0.sources.1', message: "connector 'wbe' is neither in this file nor on the server" }]);
    expect((await h.t.runtime.identityTypes.get('member_no')).limit).toBe(1);
  });
});
