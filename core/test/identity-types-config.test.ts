import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { EventInput } from '@weft/plugin-sdk';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { warnAboutUnsafePatterns } from '../src/identity/blocked-patterns.js';
import { IngestWriter } from '../src/ingest/writer.js';
import { createAdminHarness, type AdminHarness } from './admin-helpers.js';
import { graphPartition, sendTo } from './identity-support.js';

const emailDefaults = {
  blocked: ['null', 'undefined', 'nil', 'none', 'nan', '0', '-1', 'anonymous', 'unknown', 'n/a', 'na', 'test', '[object object]', 'test@test.com', 'test@example.com', 'noreply@example.com', 'no-reply@example.com'],
  blockedPatterns: ['^(no-?reply|donotreply|mailer-daemon)@'],
};

describe('configuring identifier types safely', () => {
  let h: AdminHarness;
  let ingest: IngestWriter;
  let worker: PipelineWorker;
  const putType = (type: string, body: unknown) => h.call('PUT', `/api/v1/identity/types/${type}`, body);
  const apply = (types: unknown[], dryRun = false) => h.call('POST', '/api/v1/apply', { config: { identity: { types } }, dryRun });
  const send = async (...events: EventInput[]) => {
    await sendTo(ingest, 'web', events);
    while ((await worker.processBatch()) > 0);
  };
  /** The live profiles holding any of the given identifiers (`type:value`), as their sorted identifiers. */
  const profilesWith = async (...identifiers: string[]) => (await graphPartition(h.t.runtime)).filter((ids) => ids.some((id) => identifiers.includes(id)));

  beforeAll(async () => {
    h = await createAdminHarness();
    await h.t.runtime.connectors.create({ id: 'web', plugin: 'test-admin', component: 'source' });
    ingest = new IngestWriter(h.t.runtime);
    worker = new PipelineWorker(h.t.runtime);
  });
  afterEach(async () => {
    await h.t.runtime.database.query(sql`delete from identifier_types`);
    // A reset through the service, a no-op for a built-in type, also drops its cached types.
    await h.t.runtime.identityTypes.reset('user_id');
  });
  afterAll(async () => {
    await ingest?.close();
    await h?.cleanup();
  });

  describe('scoped', () => {
    it('refuses to make a built-in type scoped, naming the type and saying scoped is fixed', async () => {
      const { status, body } = await putType('user_id', { scoped: true });
      expect(status).toBe(400);
      expect(body.error.message).toMatch(/^Identifier type 'user_id' is built in, and scoped is fixed for it \(it is not scoped\)/);
      expect(body.error.issues).toEqual([{ path: 'scoped', message: body.error.message }]);
      expect((await h.t.runtime.identityTypes.get('user_id')).scoped).toBe(false);
    });

    it('refuses to make the scoped built-in wechat_openid unscoped, and accepts scoped as it already is', async () => {
      expect((await putType('wechat_openid', { scoped: false })).status).toBe(400);
      expect((await putType('wechat_openid', { scoped: true, limit: 2 })).body.type).toMatchObject({ scoped: true, limit: 2 });
      expect((await putType('user_id', { scoped: false })).status).toBe(200);
    });

    it('keeps a built-in type unscoped even when a row stored before this check says scoped', async () => {
      await h.t.runtime.database.query(sql`insert into identifier_types (type, scoped, normalizer, max_per_profile, priority) values ('user_id', true, 'trim', 1, 100)`);
      await send({ type: 'identify', userId: 'scoped-row-1', anonymousId: 'scoped-row-a1' });
      expect(await profilesWith('user_id:scoped-row-1')).toEqual([['anonymous_id:scoped-row-a1', 'user_id:scoped-row-1']]);
      expect((await h.t.runtime.identityTypes.get('user_id')).scoped).toBe(false);
    });

    it('lets a custom type change scoped while none of its identities are stored', async () => {
      expect((await putType('member_openid', { scoped: true })).body.type).toMatchObject({ scoped: true, builtIn: false });
      expect((await putType('member_openid', { scoped: false })).body.type).toMatchObject({ scoped: false });
    });

    it('refuses with 409 to change scoped of a custom type whose identities are stored, saying how many would become unreachable', async () => {
      await send(
        { type: 'track', event: 'Joined', anonymousId: 'loyal-a1', context: { externalIds: [{ type: 'loyalty_no', id: 'L-1' }] } },
        { type: 'track', event: 'Joined', anonymousId: 'loyal-a2', context: { externalIds: [{ type: 'loyalty_no', id: 'L-2' }] } },
      );
      const { status, body } = await putType('loyalty_no', { scoped: true });
      expect(status).toBe(409);
      expect(body.error.message).toMatch(/^Identifier type 'loyalty_no' has 2 stored identities without a scope; making the type scoped would make them unreachable/);
      expect((await h.t.runtime.identityTypes.get('loyalty_no')).scoped).toBe(false);
    });

    it('refuses with 409 to reset a scoped custom type whose identities are stored', async () => {
      await putType('shop_openid', { scoped: true });
      await send({ type: 'track', event: 'Opened', anonymousId: 'shop-a1', context: { externalIds: [{ type: 'shop_openid', id: 'o-1', scope: 'shopA' }] } });
      const { status, body } = await h.call('DELETE', '/api/v1/identity/types/shop_openid');
      expect(status).toBe(409);
      expect(body.error.message).toContain("Identifier type 'shop_openid' has 1 stored identity with a scope; making the type unscoped would make it unreachable");
    });

    it('refuses the same changes in weft apply, with the path in the file', async () => {
      await send({ type: 'track', event: 'Joined', anonymousId: 'club-a1', context: { externalIds: [{ type: 'club_no', id: 'C-1' }] } });
      const { status, body } = await apply([{ type: 'email', limit: 3 }, { type: 'user_id', scoped: true }, { type: 'club_no', scoped: true }], true);
      expect(status).toBe(400);
      expect(body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(['identity.types.1.scoped', 'identity.types.2.scoped']);
      expect(body.error.issues[0].message).toMatch(/'user_id' is built in, and scoped is fixed/);
      expect(body.error.issues[1].message).toMatch(/'club_no' has 1 stored identity without a scope/);
    });
  });

  describe('blocked values and patterns', () => {
    it('blocks no-reply addresses by default, so they never merge people', async () => {
      await send(
        { type: 'identify', userId: 'nr-1', traits: { email: 'no-reply@shop.example' } },
        { type: 'identify', userId: 'nr-2', traits: { email: 'No-Reply@shop.example' } },
        { type: 'identify', userId: 'nr-3', traits: { email: 'donotreply@shop.example' } },
        { type: 'identify', userId: 'nr-4', traits: { email: 'mailer-daemon@shop.example' } },
      );
      expect(await profilesWith('user_id:nr-1', 'user_id:nr-2', 'user_id:nr-3', 'user_id:nr-4')).toEqual([['user_id:nr-1'], ['user_id:nr-2'], ['user_id:nr-3'], ['user_id:nr-4']]);
    });

    it('appends addBlocked and addBlockedPatterns to the lists in force, keeping the defaults', async () => {
      const { status, body } = await putType('email', { addBlocked: ['shared-inbox@example.com', 'TEST'], addBlockedPatterns: ['@mailinator\\.com$'] });
      expect(status).toBe(200);
      expect(body.type.blocked).toEqual([...emailDefaults.blocked, 'shared-inbox@example.com']);
      expect(body.type.blockedPatterns).toEqual([...emailDefaults.blockedPatterns, '@mailinator\\.com$']);
      expect(body.droppedDefaults).toEqual({ blocked: [], blockedPatterns: [] });
      await send(
        { type: 'identify', userId: 'add-1', traits: { email: 'noreply@shop.example' } },
        { type: 'identify', userId: 'add-2', traits: { email: 'noreply@shop.example' } },
        { type: 'identify', userId: 'add-3', traits: { email: 'x@mailinator.com' } },
        { type: 'identify', userId: 'add-4', traits: { email: 'x@mailinator.com' } },
      );
      expect(await profilesWith('user_id:add-1', 'user_id:add-2', 'user_id:add-3', 'user_id:add-4')).toEqual([['user_id:add-1'], ['user_id:add-2'], ['user_id:add-3'], ['user_id:add-4']]);
    });

    it('replaces the lists with blocked and blockedPatterns, answering which defaults that dropped', async () => {
      const { body } = await putType('email', { blocked: ['test@example.com'], blockedPatterns: ['^test\\+.*@'] });
      expect(body.type).toMatchObject({ blocked: ['test@example.com'], blockedPatterns: ['^test\\+.*@'] });
      expect(body.droppedDefaults).toEqual({ blocked: emailDefaults.blocked.filter((value) => value !== 'test@example.com'), blockedPatterns: emailDefaults.blockedPatterns });
    });

    it('answers no dropped defaults for a change that removes none that were still in force', async () => {
      await putType('email', { blocked: ['test@example.com'] });
      expect((await putType('email', { limit: 3 })).body.droppedDefaults).toEqual({ blocked: [], blockedPatterns: [] });
    });

    it('plans added patterns as a change once, then as unchanged, in weft apply', async () => {
      const file = [{ type: 'email', addBlocked: ['shared-inbox@example.com'], addBlockedPatterns: ['@mailinator\\.com$'] }];
      const first = await apply(file);
      expect(first.body.plan).toEqual([{ action: 'update', kind: 'identifier-type', id: 'email', changes: ['blocked', 'blockedPatterns'] }]);
      expect((await h.t.runtime.identityTypes.get('email')).blockedPatterns).toEqual([...emailDefaults.blockedPatterns, '@mailinator\\.com$']);
      expect((await apply(file)).body.plan).toEqual([{ action: 'unchanged', kind: 'identifier-type', id: 'email' }]);
    });

    it('names the defaults a replacing list drops in the weft apply plan', async () => {
      const { body } = await apply([{ type: 'email', blockedPatterns: ['@mailinator\\.com$'] }], true);
      expect(body.plan).toEqual([
        { action: 'update', kind: 'identifier-type', id: 'email', changes: ['blockedPatterns'], droppedDefaults: { blocked: [], blockedPatterns: emailDefaults.blockedPatterns } },
      ]);
    });
  });

  describe('patterns that could stall the server', () => {
    it('refuses a pattern that may take exponential time, explaining why', async () => {
      const { status, body } = await putType('email', { blockedPatterns: ['^(a+)+$'] });
      expect(status).toBe(400);
      expect(body.error.issues).toEqual([{ path: 'blockedPatterns.0', message: expect.stringContaining("cannot block with the pattern '^(a+)+$': it may take exponential time on some inputs (nested or overlapping repetition") }]);
      expect((await h.t.runtime.identityTypes.get('email')).blockedPatterns).toEqual(emailDefaults.blockedPatterns);
    });

    it('refuses an added pattern that may take polynomial time', async () => {
      const { status, body } = await putType('loyalty_no', { addBlockedPatterns: ['^x', '\\d*\\d*\\d*x'] });
      expect(status).toBe(400);
      expect(body.error.issues).toEqual([{ path: 'addBlockedPatterns.1', message: expect.stringMatching(/may take 4th degree polynomial time on some inputs/) }]);
    });

    it('accepts the built-in default patterns and ordinary ones', async () => {
      const patterns = ['^(no-?reply|donotreply|mailer-daemon)@', '^\\+\\d{1,3}(\\d)\\1{6,}$', '@mailinator\\.com$', '^test\\+.*@'];
      expect((await putType('contact', { blockedPatterns: patterns })).status).toBe(200);
    });

    it('warns at start about an unsafe pattern stored before patterns were checked, saying how to replace it', async () => {
      // What an older version could have stored: a safe custom pattern, a built-in default and an unsafe one.
      await h.t.runtime.database.query(sql`
        insert into identifier_types (type, scoped, normalizer, max_per_profile, priority, blocked, blocked_patterns) values
          ('email', false, 'email', 10, 90, '[]', ${JSON.stringify(['^(no-?reply|donotreply|mailer-daemon)@', '@mailinator\\.com$'])}),
          ('loyalty_no', false, 'trim', null, 50, '[]', ${JSON.stringify(['^x', '^(a+)+$'])})`);
      const warnings: Array<{ details: object; message: string }> = [];

      const count = await warnAboutUnsafePatterns(h.t.runtime.identityTypes, { warn: (details, message) => warnings.push({ details, message }) });

      expect(count).toBe(1);
      expect(warnings.map((warning) => warning.details)).toEqual([{ identifierType: 'loyalty_no', pattern: '^(a+)+$' }]);
      expect(warnings[0]!.message.startsWith(`identifier type 'loyalty_no': the stored blocked pattern "^(a+)+$" may take exponential time on some inputs`)).toBe(true);
      expect(warnings[0]!.message).toContain('It runs on every loyalty_no identifier until it is replaced');
      expect(warnings[0]!.message.endsWith('or go back to the defaults with `weft identity types reset loyalty_no`')).toBe(true);
    });

    it('refuses such a pattern in weft apply, with its path in the file', async () => {
      const { status, body } = await apply([{ type: 'email', limit: 3 }, { type: 'email_alias', addBlockedPatterns: ['^(a|a)*$'] }]);
      expect(status).toBe(400);
      expect(body.error.issues).toEqual([{ path: 'identity.types.1.addBlockedPatterns.0', message: expect.stringMatching(/may take exponential time/) }]);
      expect((await h.t.runtime.identityTypes.get('email')).limit).toBe(10);
    });

    it('refuses identifier values longer than 512 characters like other invalid values', async () => {
      const longest = 't'.repeat(512);
      await send(
        { type: 'track', event: 'Opened', anonymousId: 'long-a1', context: { externalIds: [{ type: 'ticket_no', id: longest }] } },
        { type: 'track', event: 'Opened', anonymousId: 'long-a2', context: { externalIds: [{ type: 'ticket_no', id: `${longest}t` }] } },
      );
      expect(await profilesWith('anonymous_id:long-a1', 'anonymous_id:long-a2')).toEqual([['anonymous_id:long-a1', `ticket_no:${longest}`], ['anonymous_id:long-a2']]);
      const lookup = await h.call('GET', `/api/v1/profiles?identifier=ticket_no:${longest}t`);
      expect(lookup.status).toBe(400);
      expect(lookup.body.error.message).toMatch(/is not a usable ticket_no \(invalid\)$/);
    });
  });

  describe('externalIds types', () => {
    it('brings externalIds types to the type-name grammar, normalising values by the type they name', async () => {
      await send({
        type: 'identify',
        userId: 'ext-1',
        context: { externalIds: [{ type: 'EMAIL', id: 'Foo@Bar.com' }, { type: 'Bad Type', id: '1' }, { type: ' Loyalty-No ', id: 'L-9' }] },
      });
      expect(await profilesWith('user_id:ext-1')).toEqual([['bad_type:1', 'email:foo@bar.com', 'loyalty_no:L-9', 'user_id:ext-1']]);
    });

    it('leaves out of identity an externalIds type that cannot be a type name, keeping it on the stored event', async () => {
      await send({ type: 'identify', userId: 'ext-2', context: { externalIds: [{ type: '42', id: 'x' }, { type: '___', id: 'y' }, { type: 'ok_type', id: 'z' }] } });
      expect(await profilesWith('user_id:ext-2')).toEqual([['ok_type:z', 'user_id:ext-2']]);
      const rows = await h.t.runtime.database.query<{ external_ids: unknown }>(sql`select payload->'context'->'externalIds' as external_ids from events where payload->>'userId' = 'ext-2'`);
      expect(rows.map((row) => row.external_ids)).toEqual([
        [
          { type: '42', id: 'x' },
          { type: '___', id: 'y' },
          { type: 'ok_type', id: 'z' },
        ],
      ]);
    });
  });

  describe('reset', () => {
    it('refuses to reset a type that is neither built in nor configured (404)', async () => {
      const { status, body } = await h.call('DELETE', '/api/v1/identity/types/nonexistent_type');
      expect(status).toBe(404);
      expect(body.error.message).toMatch(/^Identifier type 'nonexistent_type' does not exist: it is neither built in nor configured/);
    });

    it('resets a built-in type with nothing configured as a no-op, and a configured custom type away', async () => {
      expect((await h.call('DELETE', '/api/v1/identity/types/device_id')).status).toBe(204);
      await putType('member_no', { limit: 1 });
      expect((await h.call('DELETE', '/api/v1/identity/types/member_no')).status).toBe(204);
      expect((await h.t.runtime.identityTypes.list()).map((type) => type.type)).not.toContain('member_no');
    });
  });
});
