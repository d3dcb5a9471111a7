import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, startTestServer, waitFor, weft, weftOk, type TestServer } from './support.js';

interface TypeJson {
  type: string;
  scoped: boolean;
  blocked: string[];
  blockedPatterns: string[];
}

interface SetJson {
  type: TypeJson;
  droppedDefaults: { blocked: string[]; blockedPatterns: string[] };
}

const noReplyPattern = '^(no-?reply|donotreply|mailer-daemon)@';

describe('weft identity types: flags that could break identity', { timeout: 60_000 }, () => {
  let t: TestServer;
  const ok = (args: string[]) => weftOk(args, t.env);
  const typeInForce = async (name: string) => parseJson<{ types: TypeJson[] }>((await ok(['identity', 'types', 'list', '--json'])).stdout).types.find((type) => type.type === name);
  const applyFile = (name: string, text: string) => {
    const file = join(t.dataDir, name);
    writeFileSync(file, text);
    return file;
  };

  beforeAll(async () => {
    t = await startTestServer();
    await ok(['connectors', 'add', 'shop-web', '--plugin', 'web-sdk', '--component', 'source']);
  });
  afterAll(async () => t?.close());

  describe('--scoped', () => {
    it('exits with 2 when a built-in type would become scoped, saying scoped is fixed for it', async () => {
      const result = await weft(['identity', 'types', 'set', 'user_id', '--scoped'], t.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: Identifier type 'user_id' is built in, and scoped is fixed for it \(it is not scoped\)/);
      expect((await typeInForce('user_id'))?.scoped).toBe(false);
    });

    it('exits with 1 when a custom type with stored identities would change scope, saying how many would become unreachable', async () => {
      await ok(['events', 'send', '--source', 'shop-web', '--event', 'Joined', '--anonymous-id', 'club-a1', '--context', JSON.stringify({ externalIds: [{ type: 'club_no', id: 'C-1' }] })]);
      await waitFor('the club_no identity', async () => (await weft(['profiles', 'get', 'club_no:C-1'], t.env)).code === 0);
      const result = await weft(['identity', 'types', 'set', 'club_no', '--scoped'], t.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^Error: Identifier type 'club_no' has 1 stored identity without a scope; making the type scoped would make it unreachable/);
    });
  });

  describe('blocked lists', () => {
    it('adds to the lists in force with --add-blocked and --add-blocked-pattern, keeping the defaults without a warning', async () => {
      const result = await ok(['identity', 'types', 'set', 'email', '--add-blocked', 'shared-inbox@example.com', '--add-blocked-pattern', '@mailinator\\.com$', '--json']);
      const { type, droppedDefaults } = parseJson<SetJson>(result.stdout);
      expect(type.blocked).toEqual(expect.arrayContaining(['null', 'test@example.com', 'shared-inbox@example.com']));
      expect(type.blockedPatterns).toEqual([noReplyPattern, '@mailinator\\.com$']);
      expect(droppedDefaults).toEqual({ blocked: [], blockedPatterns: [] });
      expect(result.stderr).toBe('');
    });

    it('warns on stderr which defaults --blocked and --blocked-pattern dropped when they replace the lists', async () => {
      const result = await ok(['identity', 'types', 'set', 'email', '--blocked', 'test@example.com', '--blocked-pattern', '^test\\+.*@']);
      expect(result.stdout).toMatch(/^Blocked patterns:\s+\^test\\\+\.\*@$/m);
      expect(result.stderr).toMatch(/^Warning: identifier type email no longer blocks 16 of its default values \(null, undefined, .*no-reply@example\.com\) and its default pattern \^\(no-\?reply\|donotreply\|mailer-daemon\)@\. Use --add-blocked/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      await ok(['identity', 'types', 'reset', 'email']);
    });

    it('exits with 2 for a pattern that may take exponential time, saying so', async () => {
      const result = await weft(['identity', 'types', 'set', 'email', '--add-blocked-pattern', '^(a+)+$'], t.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: Identifier type 'email' cannot block with the pattern '\^\(a\+\)\+\$': it may take exponential time on some inputs \(nested or overlapping repetition/);
    });

    it('shows --add-blocked in the examples of its help', async () => {
      const help = await ok(['identity', 'types', 'set', '--help']);
      expect(help.stdout).toContain('$ weft identity types set email --add-blocked shared-inbox@example.com --add-blocked-pattern');
      expect(help.stdout).not.toMatch(/\$ weft identity types set email --blocked /);
    });
  });

  describe('reset', () => {
    it('exits with 3 for a type that is neither built in nor configured', async () => {
      const result = await weft(['identity', 'types', 'reset', 'nonexistent_type'], t.env);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/^Error: Identifier type 'nonexistent_type' does not exist/);
    });

    it('succeeds for a built-in type with nothing configured', async () => {
      const result = await ok(['identity', 'types', 'reset', 'device_id']);
      expect(result.stdout).toMatch(/^Identifier type device_id is back to its defaults/);
    });
  });

  describe('weft apply', () => {
    it('warns on stderr which defaults a file that replaces a blocked list drops', async () => {
      const file = applyFile('replace.yaml', "identity:\n  types:\n    - type: phone\n      blockedPatterns: ['^\\+1555']\n");
      const result = await ok(['apply', '-f', file, '--dry-run']);
      expect(result.stdout).toMatch(/~ update\s+identifier-type phone \(blockedPatterns\)/);
      expect(result.stderr).toMatch(/^Warning: identifier type phone no longer blocks its default pattern \^\\\+\\d\{1,3\}\(\\d\)\\1\{6,\}\$\. Give your values as addBlocked/);
    });

    it('adds to a list with addBlockedPatterns without a warning', async () => {
      const file = applyFile('add.yaml', "identity:\n  types:\n    - type: phone\n      addBlockedPatterns: ['^\\+1555']\n");
      const result = await ok(['apply', '-f', file]);
      expect(result.stderr).toBe('');
      expect((await typeInForce('phone'))?.blockedPatterns).toEqual(['^\\+\\d{1,3}(\\d)\\1{6,}$', '^\\+1555']);
    });

    it('exits with 2 for a file whose type would change scope, naming its path', async () => {
      const file = applyFile('scoped.yaml', 'identity:\n  types:\n    - type: email\n      scoped: true\n');
      const result = await weft(['apply', '-f', file], t.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: weft\.yaml: identity\.types\.0\.scoped: Identifier type 'email' is built in, and scoped is fixed/m);
    });
  });
});
