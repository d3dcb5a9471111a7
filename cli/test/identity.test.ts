import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, parseJson, startTestServer, waitFor, weft, weftOk, type TestServer } from './support.js';

interface TypeJson {
  type: string;
  scoped: boolean;
  normalizer: string;
  limit: number | null;
  priority: number;
  blocked: string[];
  blockedPatterns: string[];
  builtIn: boolean;
}

interface RunJson {
  id: number;
  status: string;
  total: number;
  processed: number;
  compared: number;
  linked: number;
  queued: number;
  error: string | null;
}

interface ReviewJson {
  id: number;
  resolver: string;
  profiles: [string, string];
  probability: number;
  status: string;
}

/**
 * A probabilistic resolver with a known outcome, loaded with `weft plugins add`: records block on
 * their last name; the same first name links, a different one goes to review. `broken` fails to
 * train. It imports the built SDK and zod by absolute URL because it lives in a temporary folder.
 */
function writeMatcherPlugin(dir: string): string {
  const sdk = pathToFileURL(fileURLToPath(new URL('../../plugin-sdk/dist/index.js', import.meta.url))).href;
  const zodDir = realpathSync(fileURLToPath(new URL('../../plugin-sdk/node_modules/zod', import.meta.url)));
  const zodEntry = (JSON.parse(readFileSync(join(zodDir, 'package.json'), 'utf8')) as { exports: { '.': { import: string } } }).exports['.'].import;
  const file = join(dir, 'matcher-plugin.mjs');
  writeFileSync(
    file,
    `import { z } from ${JSON.stringify(pathToFileURL(join(zodDir, zodEntry)).href)};
import { defineIdentityResolver, definePlugin } from ${JSON.stringify(sdk)};

const compare = (a, b) => {
  const same = a.traits.first_name === b.traits.first_name;
  return {
    weight: same ? 9 : 1.5,
    probability: same ? 0.99 : 0.75,
    decision: same ? 'link' : 'review',
    fields: [
      { field: 'last_name', comparator: 'exact', similarity: 1, level: 'exact', weight: 6 },
      { field: 'first_name', comparator: 'exact', similarity: same ? 1 : 0, level: same ? 'exact' : 'different', weight: same ? 3 : -4.5 },
    ],
  };
};
const blockingKeys = (record) => (typeof record.traits.last_name === 'string' ? [record.traits.last_name.toLowerCase()] : []);

export default definePlugin({
  id: 'fixture-matcher',
  version: '0.0.1',
  sdk: '^0.1.0',
  description: 'Matches people by name (a test fixture)',
  components: {
    matcher: defineIdentityResolver({
      description: 'Same last name: linked when the first name matches too, else queued for review',
      config: z.object({}),
      match: { blockingKeys, train: (records) => ({ records: records.length }), compare },
    }),
    broken: defineIdentityResolver({
      description: 'Fails to train',
      config: z.object({}),
      match: { blockingKeys, train: () => { throw new Error('the training data is corrupt'); }, compare },
    }),
  },
});
`,
  );
  return file;
}

const people = [
  ['m1', 'Ada', 'Lovelace'],
  ['m2', 'Ada', 'Lovelace'],
  ['m3', 'Charles', 'Babbage'],
  ['m4', 'Charlie', 'Babbage'],
  ['m5', 'Grace', 'Hopper'],
  ['m6', 'Gracie', 'Hopper'],
] as const;

describe('weft identity against a running server', { timeout: 60_000 }, () => {
  let t: TestServer;
  let offline: Record<string, string>;
  const ok = (args: string[]) => weftOk(args, t.env);
  const profileOf = async (anonymousId: string) => parseJson<{ profile: { id: string; identities: Array<{ value: string }> } }>((await ok(['profiles', 'get', `anonymous_id:${anonymousId}`, '--json'])).stdout).profile;
  const pendingReviews = async () => parseJson<{ reviews: ReviewJson[] }>((await ok(['identity', 'review', 'list', '--json'])).stdout).reviews;

  beforeAll(async () => {
    t = await startTestServer();
    offline = { ...t.env, WEFT_URL: `http://127.0.0.1:${await closedPort()}` };
    await ok(['connectors', 'add', 'shop-web', '--plugin', 'web-sdk', '--component', 'source']);
    for (const [anonymousId, first, last] of people) {
      await ok(['events', 'send', '--source', 'shop-web', '--type', 'identify', '--anonymous-id', anonymousId, '--traits', JSON.stringify({ first_name: first, last_name: last })]);
    }
    await waitFor('a profile for every person', async () => {
      const results = await Promise.all(people.map(([anonymousId]) => weft(['profiles', 'get', `anonymous_id:${anonymousId}`, '--json'], t.env)));
      return results.every((result) => result.code === 0);
    });
    await ok(['plugins', 'add', writeMatcherPlugin(t.dataDir)]);
    await ok(['connectors', 'add', 'matcher', '--plugin', 'fixture-matcher', '--component', 'matcher']);
    await ok(['connectors', 'add', 'broken-matcher', '--plugin', 'fixture-matcher', '--component', 'broken']);
  });
  afterAll(async () => t?.close());

  describe('identifier types', () => {
    it('lists the built-in types as a table and as JSON', async () => {
      const table = await ok(['identity', 'types', 'list']);
      expect(table.stdout).toMatch(/^TYPE\s+SCOPED\s+NORMALIZER\s+LIMIT\s+PRIORITY\s+BLOCKED\s+BUILT-IN$/m);
      expect(table.stdout).toMatch(/^email\s+no\s+email\s+\d+\s+\d+\s+.*yes$/m);
      expect(table.stdout).toMatch(/^anonymous_id\s+no\s+trim\s+none\s+\d+\s+.*yes$/m);

      const { types } = parseJson<{ types: TypeJson[] }>((await ok(['identity', 'types', 'list', '--json'])).stdout);
      expect(types.find((type) => type.type === 'wechat_openid')).toMatchObject({ scoped: true, builtIn: true });
    });

    it('creates a custom type, then changes only the settings given', async () => {
      const created = await ok(['identity', 'types', 'set', 'loyalty_id', '--normalizer', 'lowercase', '--limit', '1', '--priority', '60', '--blocked', 'none-given', '--blocked-pattern', '^test']);
      expect(created.stdout).toContain('Identifier type loyalty_id saved.');
      expect(created.stdout).toMatch(/^Normalizer:\s+lowercase$/m);
      expect(created.stdout).toMatch(/^Limit:\s+1$/m);
      expect(created.stdout).toMatch(/^Blocked patterns:\s+\^test$/m);

      const changed = parseJson<{ type: TypeJson }>((await ok(['identity', 'types', 'set', 'loyalty_id', '--limit', 'none', '--json'])).stdout).type;
      expect(changed).toEqual({ type: 'loyalty_id', scoped: false, normalizer: 'lowercase', limit: null, priority: 60, blocked: ['none-given'], blockedPatterns: ['^test'], builtIn: false });
      const { types } = parseJson<{ types: TypeJson[] }>((await ok(['identity', 'types', 'list', '--json'])).stdout);
      expect(types.find((type) => type.type === 'loyalty_id')).toEqual(changed);
    });

    it('resets a built-in type to its defaults', async () => {
      await ok(['identity', 'types', 'set', 'device_id', '--limit', '3', '--priority', '5']);
      const result = await ok(['identity', 'types', 'reset', 'device_id']);
      const { types } = parseJson<{ types: TypeJson[] }>((await ok(['identity', 'types', 'list', '--json'])).stdout);
      const device = types.find((type) => type.type === 'device_id')!;
      expect(device.limit).not.toBe(3);
      expect(device.priority).not.toBe(5);
      expect(result.stdout).toBe(`Identifier type device_id is back to its defaults: trim, limit ${device.limit}, priority ${device.priority}.\n`);
    });

    it('exits with 2 for a bad --limit or --blocked-pattern, before asking the server', async () => {
      const limit = await weft(['identity', 'types', 'set', 'loyalty_id', '--limit', '0'], offline);
      expect(limit.code).toBe(2);
      expect(limit.stderr).toBe("Error: --limit must be a whole number of at least 1, or none, got '0'\n");
      const pattern = await weft(['identity', 'types', 'set', 'loyalty_id', '--blocked-pattern', '(unclosed'], offline);
      expect(pattern.code).toBe(2);
      expect(pattern.stderr).toMatch(/^Error: --blocked-pattern '\(unclosed' is not a valid regular expression: .+\n$/);
    });

    it("exits with 2 and the server's reason for a type name it refuses", async () => {
      const result = await weft(['identity', 'types', 'set', 'Loyalty-ID', '--limit', '1'], t.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: .*Loyalty-ID.*\n$/);
    });
  });

  describe('batch matching and the review queue', () => {
    it('runs a resolver to the end, printing progress lines and the counts', async () => {
      const result = await ok(['identity', 'match', 'matcher']);
      expect(result.stderr).toMatch(/^Matched \d+\/\d+ profiles: \d+ compared, \d+ linked, \d+ queued$/m);
      expect(result.stdout).toMatch(/^Run \d+ of matcher done in \S+: \d+ profiles? of \d+, 3 pairs compared, 1 linked, 2 queued for review\.$/m);
      const adas = await Promise.all(['m1', 'm2'].map(profileOf));
      expect(adas[0]!.id).toBe(adas[1]!.id);
    });

    it('lists the queued pairs with their probability and the fields that weighed most', async () => {
      const table = await ok(['identity', 'review', 'list']);
      expect(table.stdout).toMatch(/^ID\s+RESOLVER\s+PROFILES\s+PROBABILITY\s+TOP FIELDS\s+STATUS\s+CREATED$/m);
      const [babbage3, babbage4] = await Promise.all(['m3', 'm4'].map(profileOf));
      expect(table.stdout).toMatch(new RegExp(`^\\d+\\s+matcher\\s+(${babbage3!.id} ↔ ${babbage4!.id}|${babbage4!.id} ↔ ${babbage3!.id})\\s+75\\.0%\\s+last_name \\+6\\.0, first_name -4\\.5\\s+pending\\s`, 'm'));
      const reviews = await pendingReviews();
      expect(reviews).toHaveLength(2);
      expect(reviews.every((review) => review.resolver === 'matcher' && review.status === 'pending')).toBe(true);
    });

    it('accepts one review, merging its profiles, and rejects the other', async () => {
      const [first, second] = (await pendingReviews()) as [ReviewJson, ReviewJson];
      const accepted = await ok(['identity', 'review', 'accept', String(first.id)]);
      expect(accepted.stdout).toMatch(new RegExp(`^Accepted review ${first.id} \\(75\\.0%\\): merged ${first.profiles[0]} and ${first.profiles[1]} into prf_\\S+\\.$`, 'm'));
      const rejected = parseJson<{ review: ReviewJson }>((await ok(['identity', 'review', 'reject', String(second.id), '--json'])).stdout);
      expect(rejected.review).toMatchObject({ id: second.id, status: 'rejected' });

      expect((await ok(['identity', 'review', 'list'])).stdout).toBe('No pending reviews.\n');
      const done = parseJson<{ reviews: ReviewJson[] }>((await ok(['identity', 'review', 'list', '--status', 'accepted', '--json'])).stdout).reviews;
      expect(done.map((review) => review.id)).toEqual([first.id]);
    });

    it('answers the finished run as JSON with --json, without progress lines', async () => {
      const result = await ok(['identity', 'match', 'matcher', '--no-train', '--json']);
      expect(parseJson<{ run: RunJson }>(result.stdout).run).toMatchObject({ status: 'done', error: null });
    });

    it('exits with 1 and says why when the run fails', async () => {
      const human = await weft(['identity', 'match', 'broken-matcher'], t.env);
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/^FAILED run \d+ of broken-matcher.*: .*the training data is corrupt/m);

      const json = await weft(['identity', 'match', 'broken-matcher', '--json'], t.env);
      expect(json.code).toBe(1);
      expect(parseJson<{ run: RunJson }>(json.stdout).run).toMatchObject({ status: 'failed', error: expect.stringContaining('the training data is corrupt') });
    });

    it('exits with 3 for an unknown resolver or review', async () => {
      expect((await weft(['identity', 'match', 'no-such-resolver'], t.env)).code).toBe(3);
      const review = await weft(['identity', 'review', 'accept', '999999', '--json'], t.env);
      expect(review.code).toBe(3);
      expect(parseJson<{ error: { message: string } }>(review.stdout).error.message).toBeTruthy();
    });
  });
});
