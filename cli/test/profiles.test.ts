import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, parseJson, startTestServer, waitFor, weft, type TestServer } from './support.js';

interface IdentityJson {
  type: string;
  scope: string | null;
  value: string;
}

interface ProfileJson {
  id: string;
  identities: IdentityJson[];
  traits: Record<string, unknown>;
  traitSources: Record<string, { source: string; at: string; eventId: number | null }>;
  eventCount: number;
}

const identifiersOf = (profile: ProfileJson) => profile.identities.map((i) => [i.type, i.scope, i.value].filter((part) => part !== null).join(':')).sort();

describe('weft profiles against a running server', { timeout: 60_000 }, () => {
  let t: TestServer;
  let ada: ProfileJson;
  /** The profile the anonymous browsing made before the sign-in merged it into Ada's. */
  let anonymousProfileId: string;
  let split: ProfileJson[];

  const send = async (args: string[]) => {
    const result = await weft(['events', 'send', '--source', 'shop-web', ...args], t.env);
    expect(result.code, result.stderr).toBe(0);
  };
  const getProfile = async (ref: string) => weft(['profiles', 'get', ref, '--json'], t.env);

  beforeAll(async () => {
    t = await startTestServer();
    const added = await weft(['connectors', 'add', 'shop-web', '--plugin', 'web-sdk', '--component', 'source'], t.env);
    expect(added.code, added.stderr).toBe(0);
    // Ada identifies, browses signed out on another device, then signs in there: one person.
    await send(['--type', 'identify', '--user-id', 'u1', '--traits', '{"email":"Ada@Example.com","name":"Ada"}']);
    await send(['--event', 'Viewed Pricing', '--anonymous-id', 'a1']);
    anonymousProfileId = await waitFor('the profile of a1', async () => {
      const result = await getProfile('anonymous_id:a1');
      return result.code === 0 ? parseJson<{ profile: ProfileJson }>(result.stdout).profile.id : undefined;
    });
    await send(['--type', 'identify', '--user-id', 'u1', '--anonymous-id', 'a1']);
    ada = await waitFor('one profile holding u1, a1 and the email', async () => {
      const result = await getProfile('email:ada@example.com');
      if (result.code !== 0) return undefined;
      const { profile } = parseJson<{ profile: ProfileJson }>(result.stdout);
      return identifiersOf(profile).includes('anonymous_id:a1') && profile.eventCount === 3 ? profile : undefined;
    });
  });
  afterAll(async () => t?.close());

  it('finds the profile by an identifier whatever its case, with all its identities', () => {
    expect(identifiersOf(ada)).toEqual(['anonymous_id:a1', 'email:ada@example.com', 'user_id:u1']);
    expect(ada.traits).toMatchObject({ name: 'Ada' });
  });

  it('shows identities and traits with their source as tables, and the latest events with --events', async () => {
    const result = await weft(['profiles', 'get', 'email:ADA@example.COM', '--events', '2'], t.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Profile:\\s+${ada.id}$`, 'm'));
    expect(result.stdout).toMatch(/^Events:\s+3$/m);
    expect(result.stdout).toMatch(/^IDENTIFIER\s+FIRST SEEN\s+LAST SEEN$/m);
    expect(result.stdout).toMatch(/^anonymous_id:a1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/m);
    expect(result.stdout).toMatch(/^email:ada@example\.com\s/m);
    expect(result.stdout).toMatch(/^TRAIT\s+VALUE\s+SOURCE\s+EVENT\s+SET AT$/m);
    expect(result.stdout).toMatch(new RegExp(`^name\\s+Ada\\s+${escape(ada.traitSources.name!.source)}\\s`, 'm'));
    expect(result.stdout).toContain('Latest 2 events (newest first):');
    expect(result.stdout).toMatch(/^TIME\s+EVENT ID\s+TYPE\s+EVENT\s+SOURCE\s+MESSAGE ID$/m);
  });

  it('answers the profile and its latest events as JSON', async () => {
    const result = await weft(['profiles', 'get', ada.id, '--events', '5', '--json'], t.env);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<{ profile: ProfileJson; events: Array<{ type: string; event: string | null }> }>(result.stdout);
    expect(json.profile.id).toBe(ada.id);
    expect(json.events.map((e) => e.type)).toEqual(['identify', 'track', 'identify']);
    expect(json.events[1]!.event).toBe('Viewed Pricing');
  });

  it('explains the link that joined the anonymous id to the user', async () => {
    const human = await weft(['profiles', 'explain', 'user_id:u1'], t.env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^Profile ${ada.id}: 3 identities, \\d+ links?\\.`, 'm'));
    expect(human.stdout).toMatch(/^ID\s+FROM\s+TO\s+RULE\s+CONFIDENCE\s+EVENT\s+AT\s+REMOVED$/m);
    expect(human.stdout).toMatch(/^\d+\s+(anonymous_id:a1\s+user_id:u1|user_id:u1\s+anonymous_id:a1)\s+\S+\s+[\d.]+\s+(\d+|-)\s+\S+ \S+\s+no$/m);
    expect(human.stdout).toMatch(/^TIME\s+KIND\s+PROFILE\s+SUMMARY$/m);

    const { explanation } = parseJson<{ explanation: { profileId: string; links: Array<{ from: IdentityJson; to: IdentityJson; removedAt: string | null }>; ledger: Array<{ kind: string }> } }>(
      (await weft(['profiles', 'explain', ada.id, '--json'], t.env)).stdout,
    );
    expect(explanation.profileId).toBe(ada.id);
    const joined = explanation.links.find((link) => [link.from.value, link.to.value].sort().join(' ') === 'a1 u1');
    expect(joined).toMatchObject({ removedAt: null });
    expect(explanation.ledger.map((entry) => entry.kind)).toContain('created');
  });

  it('unmerges an identifier into two profiles, listing the one that kept the id first', async () => {
    const human = await weft(['profiles', 'unmerge', 'email:ada@example.com', '--identifier', 'anonymous_id:a1', '--reason', 'shared tablet'], t.env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`Unmerged ${ada.id} into 2 profiles:`);
    expect(human.stdout).toMatch(new RegExp(`^  ${ada.id}: .*user_id:u1.* \\(kept the id\\)$`, 'm'));

    split = await Promise.all(['user_id:u1', 'anonymous_id:a1'].map(async (ref) => parseJson<{ profile: ProfileJson }>((await getProfile(ref)).stdout).profile));
    expect(identifiersOf(split[0]!)).toEqual(['email:ada@example.com', 'user_id:u1']);
    expect(identifiersOf(split[1]!)).toEqual(['anonymous_id:a1']);
    expect(split[0]!.id).toBe(ada.id);
  });

  it('gives the split-off part back its id from before the merge', () => {
    expect(split[1]!.id).toBe(anonymousProfileId);
  });

  it('shows the removed link in the explanation after the unmerge', async () => {
    const { explanation } = parseJson<{ explanation: { links: Array<{ from: IdentityJson; to: IdentityJson; removedAt: string | null }>; ledger: Array<{ kind: string }> } }>(
      (await weft(['profiles', 'explain', ada.id, '--json'], t.env)).stdout,
    );
    const removed = explanation.links.filter((link) => [link.from.value, link.to.value].includes('a1'));
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((link) => link.removedAt !== null)).toBe(true);
    expect(explanation.ledger.map((entry) => entry.kind)).toContain('unmerged');
  });

  it('merges the two profiles back into one with all three identities', async () => {
    const [kept, other] = split as [ProfileJson, ProfileJson];
    const human = await weft(['profiles', 'merge', kept.id, other.id, '--reason', 'same person after all'], t.env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^Merged ${other.id} into ${kept.id}\\.$`, 'm'));
    expect(human.stdout).toMatch(/^anonymous_id:a1\s/m);
    const { profile } = parseJson<{ profile: ProfileJson }>((await getProfile('anonymous_id:a1')).stdout);
    expect(profile.id).toBe(kept.id);
    expect(identifiersOf(profile)).toEqual(['anonymous_id:a1', 'email:ada@example.com', 'user_id:u1']);
  });

  it('follows a merged-away id to the surviving profile, saying so in one line', async () => {
    const [kept, gone] = split as [ProfileJson, ProfileJson];
    const human = await weft(['profiles', 'get', gone.id], t.env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout.split('\n')[0]).toBe(`Profile ${gone.id} was merged into ${kept.id}; showing ${kept.id}.`);
    expect(parseJson<{ profile: ProfileJson; redirectedFrom: string }>((await getProfile(gone.id)).stdout)).toMatchObject({ profile: { id: kept.id }, redirectedFrom: gone.id });
  });

  it('refuses with exit 1 and names the type when a merge would break an identifier limit', async () => {
    await send(['--type', 'identify', '--user-id', 'u2', '--traits', '{"email":"grace@example.com"}']);
    const grace = await waitFor('the profile of u2', async () => {
      const result = await getProfile('user_id:u2');
      return result.code === 0 ? parseJson<{ profile: ProfileJson }>(result.stdout).profile : undefined;
    });
    const result = await weft(['profiles', 'merge', ada.id, grace.id], t.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: .*user_id.*\n$/);
  });

  it('exits with 2 and one line for a malformed identifier, before asking the server', async () => {
    const offline = { ...t.env, WEFT_URL: `http://127.0.0.1:${await closedPort()}` };
    for (const ref of ['email:', ':ada@example.com']) {
      const result = await weft(['profiles', 'get', ref], offline);
      expect(result.code, ref).toBe(2);
      expect(result.stderr, ref).toBe(`Error: '${ref}' is not an identifier: expected type:value or type:scope:value (email:ada@example.com, wechat_openid:wx5823bf96d3bd56c7:o6_bmjrPTlm6)\n`);
    }
  });

  it('exits with 2 and the server\'s one-line reason for an identifier it cannot use', async () => {
    const result = await weft(['profiles', 'get', 'wechat_openid:o6_bmjrPTlm6_2sgVt7hMZOPfL2M'], t.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Error: .*wechat_openid.*\n$/);
  });

  it('exits with 3 for an unknown profile id or an identifier nobody has, as JSON with --json', async () => {
    const unknownId = await weft(['profiles', 'get', 'prf_00000000-0000-0000-0000-000000000000'], t.env);
    expect(unknownId.code).toBe(3);
    expect(unknownId.stderr).toMatch(/^Error: .+\n$/);

    const nobody = await weft(['profiles', 'explain', 'email:nobody@example.com', '--json'], t.env);
    expect(nobody.code).toBe(3);
    expect(parseJson<{ error: { code: string; message: string } }>(nobody.stdout).error.message).toBeTruthy();
  });

  it('exits with 2 when unmerge gets neither or both of --identifier and --link', async () => {
    const neither = await weft(['profiles', 'unmerge', ada.id], t.env);
    expect(neither.code).toBe(2);
    const both = await weft(['profiles', 'unmerge', ada.id, '--identifier', 'anonymous_id:a1', '--link', '1'], t.env);
    expect(both.code).toBe(2);
    expect(both.stderr).not.toMatch(/\n\s+at /);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
