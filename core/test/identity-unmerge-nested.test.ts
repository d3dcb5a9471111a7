import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { at, createIdentityRuntime, type IdentityTestRuntime } from './identity-support.js';

// P3 was merged into P2, then P2 into P1: an unmerge that takes P2 out must take P3 with it.
describe('unmerging a profile that had profiles merged into it', () => {
  let test: IdentityTestRuntime;

  beforeAll(async () => {
    test = await createIdentityRuntime();
  });
  afterAll(async () => test.cleanup());
  beforeEach(async () => test.reset());

  const manual = { rule: 'manual', confidence: 1, evidence: null };
  const identifier = (text: string) => test.runtime.identityTypes.parse(text);

  /** Three profiles, each with one event and trait; P3 merged into P2, then P2 into P1, by hand. */
  async function mergedByHand(): Promise<{ p1: string; p2: string; p3: string }> {
    await test.send({ type: 'identify', anonymousId: 'chain-1', traits: { name: 'One' }, timestamp: at(0) });
    await test.send({ type: 'identify', anonymousId: 'chain-2', traits: { plan: 'pro' }, timestamp: at(1) });
    await test.send({ type: 'identify', anonymousId: 'chain-3', traits: { city: 'Paris' }, timestamp: at(2) });
    const [p1, p2, p3] = [await test.profileOf('anonymous_id:chain-1'), await test.profileOf('anonymous_id:chain-2'), await test.profileOf('anonymous_id:chain-3')];
    expect(await test.runtime.identity.merge([p2, p3], manual)).toBe(p2);
    expect(await test.runtime.identity.merge([p1, p2], manual)).toBe(p1);
    return { p1, p2, p3 };
  }

  /**
   * The same family made by events: P3 joins P2 through a device both used, then P2 joins P1
   * through an email both gave.
   */
  async function mergedByEvents(): Promise<{ p1: string; p2: string; p3: string }> {
    const device = { externalIds: [{ type: 'device_id', id: 'tablet-9' }] };
    await test.send({ type: 'identify', anonymousId: 'chain-1', traits: { name: 'One' }, timestamp: at(0) });
    await test.send({ type: 'identify', anonymousId: 'chain-2', traits: { plan: 'pro' }, timestamp: at(1) });
    await test.send({ type: 'identify', anonymousId: 'chain-3', traits: { city: 'Paris' }, timestamp: at(2) });
    const [p1, p2, p3] = [await test.profileOf('anonymous_id:chain-1'), await test.profileOf('anonymous_id:chain-2'), await test.profileOf('anonymous_id:chain-3')];
    await test.send({ type: 'track', event: 'Opened', anonymousId: 'chain-2', context: device, timestamp: at(3) });
    await test.send({ type: 'track', event: 'Opened', anonymousId: 'chain-3', context: device, timestamp: at(4) });
    await test.send({ type: 'identify', anonymousId: 'chain-1', traits: { email: 'one@example.com' }, timestamp: at(5) });
    await test.send({ type: 'identify', anonymousId: 'chain-2', traits: { email: 'one@example.com' }, timestamp: at(6) });
    expect(await test.partition()).toEqual([['anonymous_id:chain-1', 'anonymous_id:chain-2', 'anonymous_id:chain-3', 'device_id:tablet-9', 'email:one@example.com']]);
    expect(await test.profileOf('anonymous_id:chain-3')).toBe(p1);
    return { p1, p2, p3 };
  }

  async function separations(...ids: string[]): Promise<string[][]> {
    const rows = await test.runtime.database.query<{ profile_a: string; profile_b: string }>(sql`select profile_a, profile_b from identity_separations`);
    return rows
      .filter((row) => ids.includes(row.profile_a) || ids.includes(row.profile_b))
      .map((row) => [row.profile_a, row.profile_b].sort())
      .sort();
  }

  describe('merged by hand', () => {
    it('takes the merged-in profile out with every profile merged into it, restored under its old id', async () => {
      const { p1, p2 } = await mergedByHand();
      expect(await test.runtime.identity.unmerge(p1, { identifier: await identifier('anonymous_id:chain-2') })).toEqual([p1, p2]);
      expect(await test.partition()).toEqual([['anonymous_id:chain-1'], ['anonymous_id:chain-2', 'anonymous_id:chain-3']]);
      expect(await test.profileOf('anonymous_id:chain-1')).toBe(p1);
      expect(await test.profileOf('anonymous_id:chain-3')).toBe(p2);
    });

    it('answers for a profile merged into the restored one with the restored profile', async () => {
      const { p1, p2, p3 } = await mergedByHand();
      await test.runtime.identity.unmerge(p1, { identifier: await identifier('anonymous_id:chain-2') });
      const answer = await test.runtime.identity.profiles.get(p3);
      expect(answer).toMatchObject({ profile: { id: p2 }, redirectedFrom: p3 });
      expect(answer.profile.identities.map((identity) => identity.value).sort()).toEqual(['chain-2', 'chain-3']);
    });

    it('moves the events of the whole family to the restored profile and folds its traits from them', async () => {
      const { p1, p2 } = await mergedByHand();
      await test.runtime.identity.unmerge(p1, { identifier: await identifier('anonymous_id:chain-2') });
      expect((await test.runtime.identity.profiles.get(p2)).profile).toMatchObject({ traits: { plan: 'pro', city: 'Paris' }, eventCount: 2 });
      expect((await test.runtime.identity.profiles.get(p1)).profile).toMatchObject({ traits: { name: 'One' }, eventCount: 1 });
      expect((await test.runtime.identity.profiles.timeline(p2, 10)).events.map((event) => event.traits)).toEqual([{ city: 'Paris' }, { plan: 'pro' }]);
    });

    it('keeps apart only the profiles the unmerge leaves, not the identifiers that left together', async () => {
      const { p1, p2, p3 } = await mergedByHand();
      await test.runtime.identity.unmerge(p1, { identifier: await identifier('anonymous_id:chain-2') }, 'wrong merge');
      expect(await separations(p1, p2, p3)).toEqual([[p1, p2].sort()]);
      await test.send({ type: 'identify', anonymousId: 'chain-3', traits: { email: 'three@example.com' }, timestamp: at(10) });
      await test.send({ type: 'identify', anonymousId: 'chain-2', traits: { email: 'three@example.com' }, timestamp: at(11) });
      expect(await test.partition()).toEqual([['anonymous_id:chain-1'], ['anonymous_id:chain-2', 'anonymous_id:chain-3', 'email:three@example.com']]);
      const { ledger } = await test.runtime.identity.profiles.explain(p2);
      expect(ledger.filter((entry) => entry.kind === 'conflict')).toEqual([]);
    });

    it('keeps the identifiers of the profile merged into the restored one apart from the profile it left', async () => {
      const { p1, p2 } = await mergedByHand();
      await test.runtime.identity.unmerge(p1, { identifier: await identifier('anonymous_id:chain-2') });
      await test.send({ type: 'identify', anonymousId: 'chain-1', traits: { email: 'one@example.com' }, timestamp: at(10) });
      await test.send({ type: 'identify', anonymousId: 'chain-3', traits: { email: 'one@example.com' }, timestamp: at(11) });
      expect(await test.profileOf('anonymous_id:chain-1')).toBe(p1);
      expect(await test.profileOf('anonymous_id:chain-3')).toBe(p2);
      const { ledger } = await test.runtime.identity.profiles.explain(p1);
      expect(ledger.find((entry) => entry.kind === 'conflict')).toMatchObject({ rule: 'unmerge', otherProfileId: p2 });
    });

    it('takes out only the innermost profile when the identifier came in with it', async () => {
      const { p1, p2, p3 } = await mergedByHand();
      expect(await test.runtime.identity.unmerge(p1, { identifier: await identifier('anonymous_id:chain-3') })).toEqual([p1, p3]);
      expect(await test.partition()).toEqual([['anonymous_id:chain-1', 'anonymous_id:chain-2'], ['anonymous_id:chain-3']]);
      expect(await test.runtime.identity.profiles.get(p2)).toMatchObject({ profile: { id: p1 }, redirectedFrom: p2 });
      expect((await test.runtime.identity.profiles.get(p3)).profile).toMatchObject({ id: p3, traits: { city: 'Paris' }, eventCount: 1 });
    });

    it('restores the whole family when the link that merged it is removed', async () => {
      const { p1, p2 } = await mergedByHand();
      const { links } = await test.runtime.identity.profiles.explain(p1);
      const joining = links.find((link) => link.from.value === 'chain-1' && link.to.value === 'chain-2')!;
      expect(await test.runtime.identity.unmerge(p1, { linkId: joining.id })).toEqual([p1, p2]);
      expect(await test.partition()).toEqual([['anonymous_id:chain-1'], ['anonymous_id:chain-2', 'anonymous_id:chain-3']]);
    });
  });

  describe('merged by events', () => {
    it('takes out the merged-in profile with the profile merged into it, restored under its old id, by any identifier that came with it', async () => {
      const { p1, p2, p3 } = await mergedByEvents();
      // The device was attached to P2 by an event (it carries that link), before P3 joined through it.
      expect(await test.runtime.identity.unmerge(p1, { identifier: await identifier('device_id:tablet-9') })).toEqual([p1, p2]);
      expect(await test.partition()).toEqual([
        ['anonymous_id:chain-1', 'email:one@example.com'],
        ['anonymous_id:chain-2', 'anonymous_id:chain-3', 'device_id:tablet-9'],
      ]);
      expect(await test.runtime.identity.profiles.get(p3)).toMatchObject({ profile: { id: p2 }, redirectedFrom: p3 });
    });

    it('moves the events of the family to the restored profile and keeps the event that joined the two where its first identifier is', async () => {
      const { p1, p2 } = await mergedByEvents();
      await test.runtime.identity.unmerge(p1, { identifier: await identifier('anonymous_id:chain-2') });
      expect((await test.runtime.identity.profiles.get(p2)).profile).toMatchObject({ traits: { plan: 'pro', city: 'Paris' }, eventCount: 4 });
      expect((await test.runtime.identity.profiles.get(p1)).profile).toMatchObject({ traits: { name: 'One', email: 'one@example.com' }, eventCount: 3 });
    });

    it('removes only the link that joined the family to the profile, and keeps the device link its identity carries', async () => {
      const { p1, p2 } = await mergedByEvents();
      await test.runtime.identity.unmerge(p1, { identifier: await identifier('anonymous_id:chain-2') });
      const ends = (link: { from: { value: string }; to: { value: string } }) => `${link.from.value} - ${link.to.value}`;
      const removed = (await test.runtime.identity.profiles.explain(p1)).links.filter((link) => link.removedAt !== null).map(ends);
      expect(removed).toEqual(['one@example.com - chain-2']);
      const live = (await test.runtime.identity.profiles.explain(p2)).links.filter((link) => link.removedAt === null).map(ends);
      expect(live.sort()).toEqual(['chain-2 - tablet-9', 'tablet-9 - chain-3']);
      const [device] = await test.runtime.database.query<{ carried: boolean }>(sql`select attached_to_id is not null as carried from identities where value = 'tablet-9'`);
      expect(device).toEqual({ carried: true });
      expect(await separations(p1, p2)).toEqual([[p1, p2].sort()]);
    });
  });
  describe('old ids', () => {
    it('answers for a profile merged in beside the restored one, and joined to it by a link, with the restored profile', async () => {
      await test.send({ type: 'identify', anonymousId: 'chain-1', timestamp: at(0) });
      await test.send({ type: 'identify', anonymousId: 'chain-2', traits: { email: 'two@example.com' }, timestamp: at(1) });
      await test.send({ type: 'identify', anonymousId: 'chain-4', timestamp: at(2) });
      const [p1, p2, p4] = [await test.profileOf('anonymous_id:chain-1'), await test.profileOf('anonymous_id:chain-2'), await test.profileOf('anonymous_id:chain-4')];
      expect(await test.runtime.identity.merge([p1, p2], manual)).toBe(p1);
      // P4 joins P1 through P2's email: it was merged in beside P2, not into it.
      await test.send({ type: 'identify', anonymousId: 'chain-4', traits: { email: 'two@example.com' }, timestamp: at(3) });
      const { links } = await test.runtime.identity.profiles.explain(p1);
      expect(await test.runtime.identity.unmerge(p1, { linkId: links.find((link) => link.rule === 'manual')!.id })).toEqual([p1, p2]);
      expect(await test.partition()).toEqual([['anonymous_id:chain-1'], ['anonymous_id:chain-2', 'anonymous_id:chain-4', 'email:two@example.com']]);
      expect(await test.runtime.identity.profiles.get(p4)).toMatchObject({ profile: { id: p2 }, redirectedFrom: p4 });
    });

    it('restores a profile an unmerge made under its id when it is merged in again and unmerged again', async () => {
      await test.send({ type: 'identify', userId: 'u1', anonymousId: 'tablet-1', timestamp: at(0) });
      const ada = await test.profileOf('user_id:u1');
      const [, tablet] = await test.runtime.identity.unmerge(ada, { identifier: await identifier('anonymous_id:tablet-1') });
      expect(await test.runtime.identity.merge([ada, tablet!], { ...manual, overridesUnmerge: true })).toBe(ada);
      expect(await test.runtime.identity.unmerge(ada, { identifier: await identifier('anonymous_id:tablet-1') })).toEqual([ada, tablet]);
      expect(await test.profileOf('anonymous_id:tablet-1')).toBe(tablet);
    });
  });
});
