import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ledgerKinds } from '../src/db/schema/index.js';
import { explanationSchema } from '../src/http/admin/profiles.js';
import { at, createIdentityRuntime, type IdentityTestRuntime } from './identity-support.js';

describe('the identity ledger', () => {
  let test: IdentityTestRuntime;

  beforeAll(async () => {
    test = await createIdentityRuntime();
  });
  afterAll(async () => test.cleanup());
  beforeEach(async () => test.reset());

  it('writes no ledger row when an event attaches an identifier: its link is the record', async () => {
    await test.send({ type: 'identify', userId: 'u1', timestamp: at(0) });
    await test.send({ type: 'identify', userId: 'u1', anonymousId: 'a1', timestamp: at(1) });
    const { ledger, links } = await test.runtime.identity.profiles.explain(await test.profileOf('user_id:u1'));
    expect(ledger.map((entry) => entry.kind)).toEqual(['created']);
    expect(links.map((link) => `${link.from.value} → ${link.to.value}`)).toEqual(['u1 → a1']);
  });

  it('writes one unmerged row per resulting profile, each naming its own profile, all of the documented kinds', async () => {
    await test.send({ type: 'identify', userId: 'u1', timestamp: at(0) });
    await test.send({ type: 'identify', anonymousId: 'a9', traits: { email: 'grace@example.com' }, timestamp: at(1) });
    const [ada, grace] = [await test.profileOf('user_id:u1'), await test.profileOf('email:grace@example.com')];
    await test.send({ type: 'identify', userId: 'u1', traits: { email: 'grace@example.com' }, timestamp: at(2) });
    await test.runtime.identity.unmerge(ada, { identifier: await test.runtime.identityTypes.parse('email:grace@example.com') }, 'wrong email');

    const explanation = await test.runtime.identity.profiles.explain(ada);
    const unmerged = explanation.ledger.filter((entry) => entry.kind === 'unmerged');
    expect(unmerged.map((entry) => [entry.profileId, entry.otherProfileId])).toEqual([
      [ada, null],
      [grace, ada],
    ]);
    expect(explanation.ledger.every((entry) => (ledgerKinds as readonly string[]).includes(entry.kind))).toBe(true);
    // The answer's schema (what /openapi.json documents) accepts every kind written.
    expect(explanationSchema.safeParse(explanation).success).toBe(true);
  });

  it('says which identifier a profile lacks when an unmerge names one it does not hold', async () => {
    await test.send({ type: 'identify', userId: 'u1', anonymousId: 'a1', timestamp: at(0) });
    const ada = await test.profileOf('user_id:u1');
    await expect(test.runtime.identity.unmerge(ada, { identifier: await test.runtime.identityTypes.parse('anonymous_id:nope') }, undefined)).rejects.toMatchObject({
      status: 404,
      message: `Profile '${ada}' has no identifier 'anonymous_id:nope'`,
    });
  });
});
