import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { createSecondRuntime } from './engine-support.js';
import { at, createIdentityRuntime, graphPartition, sendTo, type IdentityTestRuntime } from './identity-support.js';

describe('identity resolution', () => {
  let test: IdentityTestRuntime;

  beforeAll(async () => {
    test = await createIdentityRuntime();
  });
  afterAll(async () => test.cleanup());
  beforeEach(async () => test.reset());

  describe('normalisers and blocked values', () => {
    it('stores emails trimmed and lower-cased, and finds them however they are written', async () => {
      await test.send({ type: 'identify', userId: 'u1', traits: { email: '  Ada.Lovelace@Example.COM ' } });
      expect(await test.partition()).toEqual([['email:ada.lovelace@example.com', 'user_id:u1']]);
      expect(await test.profileOf('email:ADA.lovelace@example.com')).toBe(await test.profileOf('user_id:u1'));
    });

    it('stores phones in E.164, reading national numbers in the default region (CN)', async () => {
      await test.send({ type: 'identify', userId: 'u1', traits: { phone: '138 0013 8000' } }, { type: 'identify', userId: 'u2', traits: { phone: '+1 (415) 555-2671' } });
      expect(await test.partition()).toEqual([
        ['phone:+14155552671', 'user_id:u2'],
        ['phone:+8613800138000', 'user_id:u1'],
      ]);
      expect(await test.profileOf('phone:+86 138-0013-8000')).toBe(await test.profileOf('user_id:u1'));
    });

    it('rejects invalid values instead of storing them', async () => {
      await test.send({ type: 'identify', userId: 'u1', traits: { email: 'not-an-email', phone: '12345' } });
      expect(await test.partition()).toEqual([['user_id:u1']]);
    });

    it('never links through blocked values: placeholders, no-reply addresses, configured patterns', async () => {
      await test.runtime.identityTypes.put('device_id', { blocked: ['shared-kiosk'], blockedPatterns: ['^test-'] });
      await test.send(
        { type: 'identify', userId: 'u1', traits: { email: 'noreply@shop.example' }, context: { externalIds: [{ id: 'shared-kiosk', type: 'device_id' }] } },
        { type: 'identify', userId: 'u2', traits: { email: 'null' }, context: { externalIds: [{ id: 'test-device-1', type: 'device_id' }] } },
        { type: 'track', event: 'Viewed', anonymousId: 'anonymous', userId: 'u3' },
      );
      expect(await test.partition()).toEqual([['user_id:u1'], ['user_id:u2'], ['user_id:u3']]);
    });
  });

  describe('deterministic resolution', () => {
    it('attaches an anonymous visitor to the user who logs in on that browser', async () => {
      await test.send({ type: 'page', anonymousId: 'a1', name: 'Home' });
      const anonymous = await test.profileOf('anonymous_id:a1');
      await test.send({ type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { email: 'ada@example.com' } });
      expect(await test.partition()).toEqual([['anonymous_id:a1', 'email:ada@example.com', 'user_id:u1']]);
      expect(await test.profileOf('user_id:u1')).toBe(anonymous);
    });

    it('keeps three people who share a family tablet apart: one user_id per profile', async () => {
      const tablet = { externalIds: [{ id: 'tablet-42', type: 'device_id' }] };
      await test.send(
        { type: 'identify', userId: 'mum', context: tablet },
        { type: 'identify', userId: 'dad', context: tablet },
        { type: 'identify', userId: 'kid', context: tablet },
      );
      expect(await test.partition()).toEqual([['device_id:tablet-42', 'user_id:mum'], ['user_id:dad'], ['user_id:kid']]);
      const { ledger } = await test.runtime.identity.profiles.explain(await test.profileOf('user_id:dad'));
      expect(ledger.filter((entry) => entry.kind === 'conflict').map((entry) => entry.summary)).toEqual([
        expect.stringMatching(/kept apart from prf_.* \(device_id:tablet-42\): together they would have 2 user_id \(limit 1\)/),
      ]);
    });

    it('treats the same openid under two app ids as two identifiers, and links them by unionid', async () => {
      const openid = 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M';
      await test.send(
        { type: 'track', event: 'Followed', anonymousId: 'x1', context: { externalIds: [{ type: 'wechat_openid', id: openid, scope: 'wxAppA' }] } },
        { type: 'track', event: 'Opened', anonymousId: 'x2', context: { externalIds: [{ type: 'wechat_openid', id: openid, scope: 'wxAppB' }] } },
      );
      expect(await test.partition()).toHaveLength(2);
      await test.send({
        type: 'track',
        event: 'Logged In',
        anonymousId: 'x3',
        context: { externalIds: [{ type: 'wechat_openid', id: openid, scope: 'wxAppB' }, { type: 'wechat_unionid', id: 'union-1' }] },
      });
      await test.send({ type: 'track', event: 'Logged In', anonymousId: 'x4', context: { externalIds: [{ type: 'wechat_openid', id: openid, scope: 'wxAppA' }, { type: 'wechat_unionid', id: 'union-1' }] } });
      expect(await test.partition()).toEqual([
        ['anonymous_id:x1', 'anonymous_id:x2', 'anonymous_id:x3', 'anonymous_id:x4', `wechat_openid:wxAppA:${openid}`, `wechat_openid:wxAppB:${openid}`, 'wechat_unionid:union-1'],
      ]);
    });

    it('refuses an openid without its app id', async () => {
      await test.send({ type: 'track', event: 'Followed', userId: 'u1', context: { externalIds: [{ type: 'wechat_openid', id: 'o-unscoped' }] } });
      expect(await test.partition()).toEqual([['user_id:u1']]);
    });

    it('merges three profiles that one event proves are the same person, into the oldest', async () => {
      await test.send({ type: 'identify', userId: 'u1', traits: { plan: 'pro' }, timestamp: at(0) });
      await test.send({ type: 'page', anonymousId: 'a1', name: 'Pricing', timestamp: at(1) });
      await test.send({ type: 'identify', anonymousId: 'a2', traits: { email: 'ada@example.com', city: 'London' }, timestamp: at(2) });
      const oldest = await test.profileOf('user_id:u1');
      expect(await test.partition()).toHaveLength(3);
      await test.send({ type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { email: 'ada@example.com' }, timestamp: at(3) });
      expect(await test.partition()).toEqual([['anonymous_id:a1', 'anonymous_id:a2', 'email:ada@example.com', 'user_id:u1']]);
      const { profile } = await test.runtime.identity.profiles.get(oldest);
      expect(profile).toMatchObject({ id: oldest, traits: { plan: 'pro', city: 'London', email: 'ada@example.com' }, eventCount: 4 });
      const timeline = await test.runtime.identity.profiles.timeline(oldest, 10);
      expect(timeline.events.map((event) => event.type)).toEqual(['identify', 'identify', 'page', 'identify']);
    });

    it('answers for a merged-away id with the survivor', async () => {
      await test.send({ type: 'page', anonymousId: 'a1', name: 'Home' }, { type: 'identify', userId: 'u1' });
      const merged = await test.profileOf('anonymous_id:a1');
      await test.send({ type: 'identify', userId: 'u1', anonymousId: 'a1' });
      const survivor = await test.profileOf('user_id:u1');
      expect(await test.runtime.identity.profiles.get(merged === survivor ? survivor : merged)).toMatchObject({ profile: { id: survivor } });
      if (merged !== survivor) expect((await test.runtime.identity.profiles.get(merged)).redirectedFrom).toBe(merged);
    });

    it('resolves events of every source, whether or not a pipeline takes them', async () => {
      await sendTo(test.ingest, 'crm', [{ type: 'identify', userId: 'u1', traits: { email: 'ada@example.com' } }]);
      while ((await new PipelineWorker(test.runtime).processBatch()) > 0);
      expect(await test.partition()).toEqual([['email:ada@example.com', 'user_id:u1']]);
    });
  });

  describe('traits', () => {
    it('keeps the value of the latest event, whatever order the events arrive in', async () => {
      await test.send({ type: 'identify', userId: 'u1', traits: { plan: 'enterprise' }, timestamp: at(10) });
      await test.send({ type: 'identify', userId: 'u1', traits: { plan: 'free', seats: 3 }, timestamp: at(5) });
      const { profile } = await test.runtime.identity.profiles.get(await test.profileOf('user_id:u1'));
      expect(profile.traits).toEqual({ plan: 'enterprise', seats: 3 });
      expect(profile.traitSources['plan']).toMatchObject({ source: 'src', at: at(10) });
    });

    it('stores identifiers and traits with quotes, backslashes, braces and emoji exactly as sent', async () => {
      const awkward = { name: 'Ada "the first" O\'Brien', path: 'C:\\users\\ada', set: '{a,b}', none: null, emoji: '🙂 NULL', nested: { list: [1, null, 'x"y'] } };
      await test.send({ type: 'identify', userId: 'u"1\\{x,NULL}', traits: { ...awkward, email: 'ada@example.com' } });
      const profileId = await test.profileOf('user_id:u"1\\{x,NULL}');
      const { profile } = await test.runtime.identity.profiles.get(profileId);
      expect(profile.traits).toEqual({ ...awkward, email: 'ada@example.com' });
      const { events } = await test.runtime.identity.profiles.timeline(profileId, 10);
      expect(events.map((event) => event.traits)).toEqual([{ ...awkward, email: 'ada@example.com' }]);
      expect(await test.partition()).toEqual([['email:ada@example.com', 'user_id:u"1\\{x,NULL}']]);
    });

    it('lets a source listed first in the precedence win over a later write from another source', async () => {
      await test.runtime.identity.setTraitPrecedence([{ traits: ['email'], sources: ['crm', 'src'] }]);
      await sendTo(test.ingest, 'crm', [{ type: 'identify', userId: 'u1', traits: { email: 'ada@work.example', plan: 'pro' }, timestamp: at(0) }]);
      await test.send({ type: 'identify', userId: 'u1', traits: { email: 'ada@home.example', plan: 'free' }, timestamp: at(30) });
      const { profile } = await test.runtime.identity.profiles.get(await test.profileOf('user_id:u1'));
      expect(profile.traits).toMatchObject({ email: 'ada@work.example', plan: 'free' });
    });
  });

  describe('merge and unmerge', () => {
    it('unmerges back into the original profiles, each with its own events and traits', async () => {
      await test.send({ type: 'identify', userId: 'u1', traits: { name: 'Ada' }, timestamp: at(0) });
      await test.send({ type: 'identify', anonymousId: 'a9', traits: { email: 'grace@example.com', name: 'Grace' }, timestamp: at(1) });
      await test.send({ type: 'track', event: 'Bought', anonymousId: 'a9', timestamp: at(2) });
      const before = await test.partition();
      const ada = await test.profileOf('user_id:u1');
      const grace = await test.profileOf('email:grace@example.com');
      // A wrong link: someone typed Grace's email on Ada's account.
      await test.send({ type: 'identify', userId: 'u1', traits: { email: 'grace@example.com' }, timestamp: at(3) });
      expect(await test.partition()).toHaveLength(1);
      const ids = await test.runtime.identity.unmerge(ada, { identifier: await test.runtime.identityTypes.parse('email:grace@example.com') }, 'wrong email');
      expect(ids).toEqual([ada, grace]);
      expect(await test.partition()).toEqual(before);
      const restoredGrace = await test.runtime.identity.profiles.get(grace);
      expect(restoredGrace.profile).toMatchObject({ id: grace, traits: { email: 'grace@example.com', name: 'Grace' }, eventCount: 2 });
      expect((await test.runtime.identity.profiles.timeline(grace, 10)).events.map((event) => event.type)).toEqual(['track', 'identify']);
      const restoredAda = await test.runtime.identity.profiles.get(ada);
      expect(restoredAda.profile).toMatchObject({ traits: { name: 'Ada' }, eventCount: 2 });
      const { links, ledger } = await test.runtime.identity.profiles.explain(ada);
      expect(ledger.map((entry) => entry.kind)).toContain('unmerged');
      // The wrong link stays in the history, marked removed.
      expect(links.map((link) => [`${link.from.type}:${link.from.value}`, `${link.to.type}:${link.to.value}`, link.removedAt !== null])).toEqual([
        ['user_id:u1', 'email:grace@example.com', true],
      ]);
    });

    it('keeps unmerged profiles apart when the same evidence comes again, until an operator merges them', async () => {
      await test.send({ type: 'identify', userId: 'u1', traits: { name: 'Ada' }, timestamp: at(0) });
      await test.send({ type: 'identify', anonymousId: 'a9', traits: { email: 'grace@example.com' }, timestamp: at(1) });
      const ada = await test.profileOf('user_id:u1');
      const grace = await test.profileOf('email:grace@example.com');
      await test.send({ type: 'identify', userId: 'u1', traits: { email: 'grace@example.com' }, timestamp: at(2) });
      await test.runtime.identity.unmerge(ada, { identifier: await test.runtime.identityTypes.parse('email:grace@example.com') }, 'wrong email');
      const apart = await test.partition();
      expect(apart).toHaveLength(2);

      // The CRM sync sends the wrong email again, and a new device of Grace's joins her profile.
      await test.send({ type: 'identify', userId: 'u1', traits: { email: 'grace@example.com' }, timestamp: at(3) });
      await test.send({ type: 'identify', anonymousId: 'a10', traits: { email: 'grace@example.com' }, timestamp: at(4) });
      expect(await test.partition()).toEqual([['anonymous_id:a10', 'anonymous_id:a9', 'email:grace@example.com'], ['user_id:u1']]);
      const { ledger } = await test.runtime.identity.profiles.explain(ada);
      expect(ledger.find((entry) => entry.kind === 'conflict')).toMatchObject({ rule: 'unmerge', otherProfileId: grace });

      // Grace's profile absorbs another one of hers; the separation follows it.
      await test.send({ type: 'identify', anonymousId: 'a11', traits: { phone: '13800138011' }, timestamp: at(5) });
      await test.send({ type: 'identify', anonymousId: 'a11', traits: { email: 'grace@example.com' }, timestamp: at(6) });
      await test.send({ type: 'identify', userId: 'u1', traits: { phone: '13800138011' }, timestamp: at(7) });
      expect((await test.partition()).find((ids) => ids.includes('user_id:u1'))).toEqual(['user_id:u1']);

      // Automatic merges respect it; an operator's merge lifts it.
      const why = { rule: 'probabilistic:test', confidence: 0.99, evidence: null };
      await expect(test.runtime.identity.merge([ada, grace], why)).rejects.toMatchObject({ code: 'separated' });
      expect(await test.runtime.identity.merge([ada, grace], { rule: 'manual', confidence: 1, evidence: null, overridesUnmerge: true })).toBe(ada);
      await test.send({ type: 'identify', anonymousId: 'a12', traits: { email: 'grace@example.com' }, timestamp: at(8) });
      expect(await test.partition()).toHaveLength(1);
    });

    it('explains each identifier an event attached by that event, and an unmerge by one such link keeps it in the history, removed', async () => {
      await test.send({ type: 'identify', userId: 'u1', anonymousId: 'tablet-1', traits: { email: 'ada@example.com' }, timestamp: at(0) });
      const ada = await test.profileOf('user_id:u1');
      const { links } = await test.runtime.identity.profiles.explain(ada);
      const ends = (link: (typeof links)[number]) => [`${link.from.type}:${link.from.value}`, `${link.to.type}:${link.to.value}`].join(' - ');
      expect(links.map(ends).sort()).toEqual(['user_id:u1 - anonymous_id:tablet-1', 'user_id:u1 - email:ada@example.com']);
      for (const link of links) expect(link).toMatchObject({ rule: 'event', confidence: 1, eventId: expect.any(Number), removedAt: null, evidence: null });
      const tablet = links.find((link) => link.to.value === 'tablet-1')!;

      const [kept, split] = await test.runtime.identity.unmerge(ada, { linkId: tablet.id }, 'shared tablet');
      expect(kept).toBe(ada);
      expect(await test.partition()).toEqual([['anonymous_id:tablet-1'], ['email:ada@example.com', 'user_id:u1']]);
      const after = await test.runtime.identity.profiles.explain(ada);
      expect(after.links.find((link) => link.id === tablet.id)).toMatchObject({ ...tablet, removedAt: expect.any(String) });
      expect((await test.runtime.identity.profiles.explain(split!)).links.map((link) => [link.id, link.removedAt !== null])).toEqual([[tablet.id, true]]);
      // Removed once, the link is gone from the graph: removing it again is refused.
      await expect(test.runtime.identity.unmerge(ada, { linkId: tablet.id })).rejects.toMatchObject({ status: 404 });
    });

    it('merges two profiles by hand and splits them again by removing that link', async () => {
      await test.send({ type: 'identify', userId: 'u1' }, { type: 'identify', userId: 'crm-only', context: { externalIds: [{ type: 'crm_id', id: 'C-7' }] } });
      const u1 = await test.profileOf('user_id:u1');
      const crm = await test.profileOf('crm_id:C-7');
      await expect(test.runtime.identity.merge([u1, crm], { rule: 'manual', confidence: 1, evidence: null })).rejects.toThrow(/2 user_id \(limit 1\)/);
      await test.send({ type: 'identify', anonymousId: 'a5', context: { externalIds: [{ type: 'crm_id', id: 'C-8' }] } });
      const other = await test.profileOf('crm_id:C-8');
      const survivor = await test.runtime.identity.merge([u1, other], { rule: 'manual', confidence: 1, evidence: { reason: 'support ticket 12' } });
      expect(survivor).toBe(u1);
      const { links } = await test.runtime.identity.profiles.explain(u1);
      const manual = links.find((link) => link.rule === 'manual')!;
      expect(manual.evidence).toEqual({ reason: 'support ticket 12' });
      expect(await test.runtime.identity.unmerge(u1, { linkId: manual.id })).toEqual([u1, other]);
    });
  });

  it('follows one person through a WeChat journey into one profile with all five identifiers', async () => {
    // An anonymous web visitor...
    await test.send({ type: 'page', anonymousId: 'web-anon-1', name: 'Spring sale', timestamp: at(0) });
    // ...follows the Official Account (app A)...
    await test.send({ type: 'track', event: 'Followed Official Account', anonymousId: 'web-anon-1', context: { externalIds: [{ type: 'wechat_openid', id: 'oA-123', scope: 'wxOfficialA' }] }, timestamp: at(1) });
    // ...logs into the mini-program (app B), whose login returns the same unionid...
    await test.send({
      type: 'identify',
      anonymousId: 'mp-anon-9',
      context: { externalIds: [{ type: 'wechat_openid', id: 'oB-456', scope: 'wxMiniB' }, { type: 'wechat_unionid', id: 'u-777' }] },
      timestamp: at(2),
    });
    await test.send({ type: 'track', event: 'Subscribed', anonymousId: 'web-anon-1', context: { externalIds: [{ type: 'wechat_openid', id: 'oA-123', scope: 'wxOfficialA' }, { type: 'wechat_unionid', id: 'u-777' }] }, timestamp: at(3) });
    // ...and buys in the shop, giving a phone number at the till.
    await test.send({ type: 'track', event: 'Order Completed', anonymousId: 'mp-anon-9', context: { traits: { phone: '13800138000' } }, properties: { total: 299 }, timestamp: at(4) });
    const [profile, ...others] = await test.partition();
    expect(others).toEqual([]);
    expect(profile).toEqual([
      'anonymous_id:mp-anon-9',
      'anonymous_id:web-anon-1',
      'phone:+8613800138000',
      'wechat_openid:wxMiniB:oB-456',
      'wechat_openid:wxOfficialA:oA-123',
      'wechat_unionid:u-777',
    ]);
    const id = await test.profileOf('phone:13800138000');
    const { events } = await test.runtime.identity.profiles.timeline(id, 50);
    expect(events.map((event) => event.event)).toEqual(['Order Completed', 'Subscribed', null, 'Followed Official Account', 'Spring sale']);
  });
});

describe('identity resolution with two workers', () => {
  it('converges to the graph a single worker builds from the same conflicting events', async () => {
    // Every person is seen through events that each carry only two of their identifiers, sent in
    // an order that makes two workers race to merge the same profiles. (No limit is hit: which
    // of two people keeps a shared device depends on arrival order, concurrent or not.)
    const people = Array.from({ length: 200 }, (_, n) => n);
    const events = people.flatMap((n) => [
      { type: 'identify' as const, userId: `u${n}`, anonymousId: `a${n}` },
      { type: 'identify' as const, anonymousId: `b${n}`, traits: { email: `p${n}@example.com` } },
      { type: 'identify' as const, anonymousId: `a${n}`, traits: { email: `p${n}@example.com` } },
      { type: 'identify' as const, anonymousId: `c${n}`, context: { externalIds: [{ type: 'device_id', id: `d${n}` }] } },
      { type: 'identify' as const, anonymousId: `c${n}`, userId: `u${n}` },
    ]);
    const shuffled = [...events].sort((a, b) => key(a) - key(b));

    const serial = await createIdentityRuntime();
    const parallel = await createIdentityRuntime();
    try {
      await sendTo(serial.ingest, 'src', shuffled);
      const single = new PipelineWorker(serial.runtime);
      while ((await single.processBatch()) > 0);

      const second = await createSecondRuntime(parallel);
      try {
        await sendTo(parallel.ingest, 'src', shuffled);
        const workers = [new PipelineWorker(parallel.runtime), new PipelineWorker(second.runtime)];
        await Promise.all(workers.map(async (worker) => {
          while ((await worker.processBatch()) > 0);
        }));
        const pending = await parallel.runtime.database.query<{ n: number }>(sql`select count(*)::int as n from event_queue`);
        expect(pending[0]!.n).toBe(0);
        expect(await graphPartition(parallel.runtime)).toEqual(await graphPartition(serial.runtime));
      } finally {
        await second.close();
      }
    } finally {
      await serial.cleanup();
      await parallel.cleanup();
    }
  });
});

/** A stable shuffle: the same order in both runs. */
function key(event: object): number {
  let hash = 0;
  for (const char of JSON.stringify(event)) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return hash;
}
