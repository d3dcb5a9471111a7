import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginImports } from './plugin-fixture.js';
import { parseJson, startTestServer, waitFor, weft, weftOk, type TestServer } from './support.js';

/**
 * A resolver that queues every pair sharing a last name for review at 0.999999 — just under
 * certainty — with two fields that had no value on either side and weighed nothing.
 */
function writeHesitantPlugin(dir: string): string {
  const file = join(dir, 'hesitant-plugin.mjs');
  writeFileSync(
    file,
    `${pluginImports()}

export default definePlugin({
  id: 'fixture-hesitant',
  version: '0.0.1',
  sdk: '^0.1.0',
  description: 'Queues every same-surname pair just under certainty (a test fixture)',
  components: {
    hesitant: defineIdentityResolver({
      description: 'Same last name: review at 0.999999',
      config: z.object({}),
      match: {
        blockingKeys: (record) => (typeof record.traits.last_name === 'string' ? [record.traits.last_name] : []),
        compare: () => ({
          weight: 19.9,
          probability: 0.999999,
          decision: 'review',
          fields: [
            { field: 'first_name', comparator: 'exact', similarity: null, level: 'missing', weight: 0 },
            { field: 'last_name', comparator: 'exact', similarity: 1, level: 'exact', weight: 6 },
            { field: 'email', comparator: 'exact', similarity: null, level: 'missing', weight: 0 },
          ],
        }),
      },
    }),
  },
});
`,
  );
  return file;
}

describe('weft identity and profiles output', { timeout: 60_000 }, () => {
  let t: TestServer;
  const ok = (args: string[]) => weftOk(args, t.env);
  const profileIdOf = async (identifier: string) => parseJson<{ profile: { id: string } }>((await ok(['profiles', 'get', identifier, '--json'])).stdout).profile.id;

  beforeAll(async () => {
    t = await startTestServer();
    await ok(['connectors', 'add', 'shop-web', '--plugin', 'web-sdk', '--component', 'source']);
    for (const anonymousId of ['h1', 'h2']) {
      await ok(['events', 'send', '--source', 'shop-web', '--type', 'identify', '--anonymous-id', anonymousId, '--traits', '{"last_name":"Hopper"}']);
    }
    await waitFor('a profile for each visitor', async () => {
      const results = await Promise.all(['h1', 'h2'].map((id) => weft(['profiles', 'get', `anonymous_id:${id}`, '--json'], t.env)));
      return results.every((result) => result.code === 0);
    });
    await ok(['plugins', 'add', writeHesitantPlugin(t.dataDir)]);
    await ok(['connectors', 'add', 'hesitant', '--plugin', 'fixture-hesitant', '--component', 'hesitant']);
    await ok(['connectors', 'add', 'switched-off', '--plugin', 'fixture-hesitant', '--component', 'hesitant']);
    await ok(['connectors', 'disable', 'switched-off']);
  });
  afterAll(async () => t?.close());

  describe('weft identity match', () => {
    it('prints progress on stderr and only the summary on stdout', async () => {
      const result = await ok(['identity', 'match', 'hesitant']);
      expect(result.stderr).toMatch(/^Matched 2\/2 profiles: 1 compared, 0 linked, 1 queued$/m);
      expect(result.stdout).toMatch(/^Run \d+ of hesitant done in \S+: 2 profiles of 2, 1 pair compared, 0 linked, 1 queued for review\.\n$/);
    });

    it('prints no progress line for a run that fails before matching anything', async () => {
      const result = await weft(['identity', 'match', 'switched-off'], t.env);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^FAILED run \d+ of switched-off.*: Connector 'switched-off' is disabled/);
      expect(result.stdout + result.stderr).not.toContain('Matched');
    });
  });

  describe('weft identity review list', () => {
    it('shows a probability just under certainty with the precision that keeps it under 100%', async () => {
      const { stdout } = await ok(['identity', 'review', 'list']);
      expect(stdout).toMatch(/\s99\.9999%\s/);
      expect(stdout).not.toContain('100.0%');
    });

    it('shows only the fields that weighed in the score', async () => {
      const { stdout } = await ok(['identity', 'review', 'list']);
      expect(stdout).toMatch(/\slast_name \+6\.0\s+pending\s/);
      expect(stdout).not.toMatch(/first_name|email/);
    });
  });

  describe('weft profiles explain after an unmerge', () => {
    it('names the profile of each ledger row, so the two unmerged rows differ', async () => {
      const [{ id: reviewId }] = parseJson<{ reviews: Array<{ id: number }> }>((await ok(['identity', 'review', 'list', '--json'])).stdout).reviews;
      await ok(['identity', 'review', 'accept', String(reviewId)]);
      const merged = await profileIdOf('anonymous_id:h1');
      const unmerged = parseJson<{ profiles: Array<{ id: string }> }>((await ok(['profiles', 'unmerge', merged, '--identifier', 'anonymous_id:h2', '--json'])).stdout).profiles;
      expect(unmerged).toHaveLength(2);

      const { stdout } = await ok(['profiles', 'explain', merged]);
      const ledger = stdout.slice(stdout.indexOf('\nLedger:\n') + '\nLedger:\n'.length).trimEnd().split('\n');
      expect(ledger[0]).toMatch(/^TIME\s+KIND\s+PROFILE\s+SUMMARY$/);
      const unmergedRows = ledger.filter((line) => /^\S+ \S+\s+unmerged\s/.test(line));
      expect(unmergedRows.map((line) => line.split(/\s+/)[3])).toEqual(unmerged.map((profile) => profile.id));
      expect(new Set(ledger).size).toBe(ledger.length);
    });

    it('says which identifier the profile lacks when an unmerge names one it does not hold', async () => {
      const id = await profileIdOf('anonymous_id:h1');
      const result = await weft(['profiles', 'unmerge', id, '--identifier', 'anonymous_id:nope'], t.env);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(`Error: Profile '${id}' has no identifier 'anonymous_id:nope'\n`);
    });
  });

  describe('weft apply with an identity section', () => {
    const applyFile = (name: string, yaml: string) => {
      const file = join(t.dataDir, name);
      writeFileSync(file, yaml);
      return weft(['apply', '-f', file, '--dry-run'], t.env);
    };

    it('names an invalid identifier type field by its path in the file, once', async () => {
      const result = await applyFile('limit.yaml', 'identity:\n  types:\n    - type: member_no\n      limit: 0\n');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: weft\.yaml: identity\.types\.0\.limit: [^\n]+\n$/);
    });

    it('names an unknown trait precedence source once', async () => {
      const result = await applyFile('precedence.yaml', 'identity:\n  traitPrecedence:\n    - traits: [email]\n      sources: [nope]\n');
      expect(result.code).toBe(2);
      expect(result.stderr).toBe("Error: weft.yaml: identity.traitPrecedence.0.sources.0: connector 'nope' is neither in this file nor on the server\n");
    });
  });
});
