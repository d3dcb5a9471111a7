import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { WeftError, notFound } from '../errors.js';
import type { IdentityPlan } from './plan.js';
import type { Run } from '../db/client.js';
import { loadForPlan } from './store.js';
import { writePlan } from './write-plan.js';
import { identifierKey, type IdentifierTypes, type NormalizedIdentifier } from './types.js';

/** Why two profiles are being merged by something other than an event. */
export interface MergeEvidence {
  rule: string;
  confidence: number;
  evidence: Record<string, unknown> | null;
  /**
   * A person's decision (an operator's merge, an accepted review): it goes ahead even where an
   * unmerge had split the two apart, and lifts that separation. Automatic merges respect it.
   */
  overridesUnmerge?: boolean;
}

/** Priority and limit per identifier type, read before a transaction (inside it nothing else may query: PGlite has one connection). */
export type TypeRanks = Map<string, { priority: number; limit: number | null }>;

export async function typeRanks(types: IdentifierTypes): Promise<TypeRanks> {
  return new Map((await types.list()).map((type) => [type.type, { priority: type.priority, limit: type.limit }]));
}

/** The identities of a profile as normalised identifiers (for locks and the plan), oldest first. */
export async function profileIdentifiers(run: Run, ranks: TypeRanks, profileId: string): Promise<NormalizedIdentifier[]> {
  const rows = await run<{ type: string; scope: string; value: string }>(sql`select type, scope, value from identities where profile_id = ${profileId} order by id`);
  return rows.map((row) => {
    const rank = ranks.get(row.type) ?? { priority: 50, limit: null };
    return { type: row.type, scope: row.scope, value: row.value, priority: rank.priority, limit: rank.limit, key: identifierKey(row.type, row.scope, row.value) };
  });
}

/**
 * Merges two profiles into the older one, with a link between their oldest identifiers that
 * records why (so an unmerge can take it away again). Refuses when a type's limit forbids it.
 *
 * @returns the surviving profile's id.
 */
export async function mergeProfiles(
  database: Database,
  types: IdentifierTypes,
  newPlan: () => IdentityPlan,
  ids: [string, string],
  why: MergeEvidence,
  /** Runs inside the merge's transaction once it is written (merge notices to destinations). */
  onMerged?: (run: Run, merge: { survivor: string; loser: string; rule: string }) => Promise<void>,
): Promise<string> {
  const ranks = await typeRanks(types);
  return database.transaction(async (run) => {
    const [a, b] = await Promise.all(ids.map((id) => liveProfileId(run, id)));
    if (!a) throw notFound('Profile', ids[0]);
    if (!b) throw notFound('Profile', ids[1]);
    if (a === b) throw new WeftError(409, 'conflict', `Profiles '${ids[0]}' and '${ids[1]}' are already one profile (${a})`);
    const [left, right] = [await profileIdentifiers(run, ranks, a), await profileIdentifiers(run, ranks, b)];
    if (left.length === 0 || right.length === 0) throw new WeftError(409, 'conflict', 'A profile without identifiers cannot be merged');
    const plan = newPlan();
    await loadForPlan(run, plan, [...left, ...right]);
    const profileA = plan.profileOf(left[0]!.key);
    const profileB = plan.profileOf(right[0]!.key);
    if (!profileA || !profileB) throw new WeftError(409, 'conflict', 'The profiles changed while merging; try again');
    if (profileA === profileB) return profileA.id;
    if (plan.keptApart(profileA, profileB)) {
      if (!why.overridesUnmerge) throw new WeftError(409, 'separated', `Profiles '${a}' and '${b}' were split apart by an unmerge; only an operator's merge joins them again`);
      await run(sql`delete from identity_separations where (profile_a = ${profileA.id} and profile_b = ${profileB.id}) or (profile_a = ${profileB.id} and profile_b = ${profileA.id})`);
      plan.separations.get(profileA.id)?.delete(profileB.id);
      plan.separations.get(profileB.id)?.delete(profileA.id);
    }
    const blocked = plan.mergeBlockedBy(profileA, profileB);
    if (blocked) throw new WeftError(409, 'limit', `Profiles '${a}' and '${b}' cannot be merged: together they would have ${blocked}`);
    const survivor = plan.merge(profileA, profileB, { from: left[0]!.key, to: right[0]!.key, rule: why.rule, confidence: why.confidence, eventId: null, evidence: why.evidence });
    await writePlan(run, plan);
    await onMerged?.(run, { survivor: survivor.id, loser: survivor === profileA ? profileB.id : profileA.id, rule: why.rule });
    return survivor.id;
  });
}

/** Follows `merged_into` inside a transaction. */
export async function liveProfileId(run: Run, id: string): Promise<string | undefined> {
  const [row] = await run<{ id: string }>(sql`
    with recursive chain(id, merged_into, depth) as (
      select id, merged_into, 0 from profiles where id = ${id}
      union all select p.id, p.merged_into, c.depth + 1 from profiles p join chain c on p.id = c.merged_into where c.depth < 100
    )
    select id from chain where merged_into is null limit 1`);
  return row?.id;
}
