import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminHarness, type AdminHarness } from './admin-helpers.js';

describe('identity settings are checked the same way by the API and by weft apply', () => {
  let h: AdminHarness;
  const putSettings = (traitPrecedence: unknown) => h.call('PUT', '/api/v1/identity/settings', { traitPrecedence });
  const apply = (identity: unknown) => h.call('POST', '/api/v1/apply', { config: { identity }, dryRun: true });

  beforeAll(async () => {
    h = await createAdminHarness();
    await h.t.runtime.connectors.create({ id: 'web', plugin: 'test-admin', component: 'source' });
  });
  afterAll(async () => h?.cleanup());

  it('refuses trait precedence naming a source that is not a connector, naming the source and its path', async () => {
    const { status, body } = await putSettings([{ traits: ['email'], sources: ['web', 'nope'] }]);
    expect(status).toBe(400);
    expect(body.error).toEqual({
      code: 'invalid',
      message: "traitPrecedence.0.sources.1: connector 'nope' does not exist",
      issues: [{ path: 'traitPrecedence.0.sources.1', message: "connector 'nope' does not exist" }],
    });
    expect(await h.t.runtime.identity.traitPrecedence()).toEqual([]);
  });

  it('counts the unknown sources when there are several', async () => {
    const { status, body } = await putSettings([{ sources: ['crm'] }, { traits: ['name'], sources: ['app'] }]);
    expect(status).toBe(400);
    expect(body.error.message).toBe('traitPrecedence names 2 connectors that do not exist; see issues');
    expect(body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(['traitPrecedence.0.sources.0', 'traitPrecedence.1.sources.0']);
  });

  it('sets trait precedence whose sources all exist', async () => {
    const { status, body } = await putSettings([{ traits: ['email'], sources: ['web'] }]);
    expect(status).toBe(200);
    expect(body.settings.traitPrecedence).toEqual([{ traits: ['email'], sources: ['web'] }]);
  });

  it('names a problem in the identity section of a weft.yaml by its path in the file', async () => {
    const { status, body } = await apply({ types: [{ type: 'member_no', limit: 0 }] });
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/^weft\.yaml: identity\.types\.0\.limit: /);
    expect(body.error.issues).toEqual([{ path: 'identity.types.0.limit', message: expect.any(String) }]);
  });

  it('quotes an identifier type name that is not one as the value it is', async () => {
    const { body } = await apply({ types: [{ type: 'Member-No' }] });
    expect(body.error.issues).toEqual([
      { path: 'identity.types.0.type', message: "'Member-No' is not a type name: use lower-case letters, digits and '_', starting with a letter, such as member_no" },
    ]);
  });
});
