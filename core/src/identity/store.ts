import { hash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pgTimestamp, type Run } from '../db/client.js';
import type { TraitSource } from '../db/schema/index.js';
import type { IdentityPlan, PlannedProfile } from './plan.js';
import { identifierKey, type NormalizedIdentifier } from './types.js';

const json = (value: unknown) => JSON.stringify(value);

/**
 * A PostgreSQL array literal (`{"a","b"}`) for `= any($1::text[])`: an index probe per value,
 * whatever the planner's statistics say (a `jsonb` set in a join can end in a full scan).
 */
export function textArray(values: Iterable<string | number>): string {
  return `{${[...values].map((value) => `"${String(value).replace(/[\\"]/g, (char) => `\\${char}`)}"`).join(',')}}`;
}

/**
 * The 64-bit advisory lock key of an identifier (its `identifierKey`): the first 8 bytes of its
 * SHA-1, as a signed big-endian integer. Every worker process must compute the same key for the
 * same identifier, across versions too (a rolling upgrade runs old and new workers side by side),
 * so this value must never change. The one-shot `hash` is about 3× faster than `createHash`.
 */
export function lockKey(key: string): string {
  return BigInt.asIntN(64, BigInt(`0x${hash('sha1', key, 'hex').slice(0, 16)}`)).toString();
}

interface ProfileRow {
  id: string;
  traits: Record<string, unknown>;
  trait_sources: Record<string, TraitSource>;
  first_seen_at: Date | string | null;
  last_seen_at: Date | string | null;
  event_count: number;
  created_at: Date | string;
}

const toDate = (value: Date | string | null) => (value === null ? null : pgTimestamp(value));

interface IdentityRow {
  id: string | number;
  type: string;
  scope: string;
  value: string;
  profile_id: string;
  origin_profile_id: string;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
}

/** Advisory-lock keys of identifiers, each with the identifier keys it stands for, in the one global order. */
function lockKeysOf(identifiers: NormalizedIdentifier[]): Array<[lock: string, keys: string[]]> {
  const byLock = new Map<string, string[]>();
  for (const { key } of identifiers) {
    const lock = lockKey(key);
    const keys = byLock.get(lock);
    if (!keys) byLock.set(lock, [key]);
    else if (!keys.includes(key)) keys.push(key);
  }
  return [...byLock]
    .map(([lock, keys]) => ({ lock, keys, order: BigInt(lock) }))
    .sort((a, b) => (a.order < b.order ? -1 : 1))
    .map(({ lock, keys }) => [lock, keys]);
}

/**
 * Waits for the transaction-scoped advisory locks of these identifiers, in one global order so two
 * workers never wait on each other in a circle.
 */
export async function lockIdentifiers(run: Run, identifiers: NormalizedIdentifier[]): Promise<void> {
  const locks = lockKeysOf(identifiers).map(([lock]) => lock);
  if (locks.length === 0) return;
  await run(sql`select pg_advisory_xact_lock(k) from (select value::bigint as k from jsonb_array_elements_text(${json(locks)}::jsonb) with ordinality as t(value, n) order by n) s`);
}

/**
 * Takes the advisory locks of these identifiers that no other transaction holds, without waiting.
 *
 * @returns the identifier keys whose lock another transaction holds.
 */
export async function tryLockIdentifiers(run: Run, identifiers: NormalizedIdentifier[]): Promise<Set<string>> {
  const locks = lockKeysOf(identifiers);
  if (locks.length === 0) return new Set();
  const rows = await run<{ n: string | number; got: boolean }>(sql`
    select n, pg_try_advisory_xact_lock(k) as got
    from (select value::bigint as k, n from jsonb_array_elements_text(${json(locks.map(([lock]) => lock))}::jsonb) with ordinality as t(value, n) order by n) s`);
  return new Set(rows.filter((row) => !row.got).flatMap((row) => locks[Number(row.n) - 1]![1]));
}

/**
 * Locks the identifiers (unless the caller already holds their locks: `locked`), then the
 * profiles that hold them, and loads both into the plan. A profile merged away by another worker
 * while we waited is followed to its survivor.
 */
export async function loadForPlan(run: Run, plan: IdentityPlan, identifiers: NormalizedIdentifier[], options: { locked?: boolean } = {}): Promise<void> {
  const byKey = new Map(identifiers.map((identifier) => [identifier.key, identifier]));
  if (byKey.size === 0) return;
  if (!options.locked) await lockIdentifiers(run, [...byKey.values()]);
  const wanted = json([...byKey.values()].map(({ type, scope, value }) => ({ type, scope, value })));
  const locked = new Map<string, ProfileRow>();
  const remember = (found: IdentityRow[]) => {
    for (const row of found) {
      const identifier = byKey.get(identifierKey(row.type, row.scope, row.value))!;
      plan.identities.set(identifier.key, {
        id: Number(row.id),
        identifier,
        profileId: row.profile_id,
        originProfileId: row.origin_profile_id,
        firstSeenAt: pgTimestamp(row.first_seen_at),
        lastSeenAt: pgTimestamp(row.last_seen_at),
      });
    }
  };
  for (let round = 1; ; round++) {
    if (round > 50) throw new Error('identity stage: the profiles of these identifiers kept changing while locking them');
    // One index probe per identifier (the lateral join keeps the planner off a hash join over the whole table).
    const found = await run<IdentityRow>(sql`
      select i.id, i.type, i.scope, i.value, i.profile_id, i.origin_profile_id, i.first_seen_at, i.last_seen_at
      from jsonb_to_recordset(${wanted}::jsonb) as k(type text, scope text, value text)
      cross join lateral (select * from identities x where x.type = k.type and x.scope = k.scope and x.value = k.value) i`);
    const missing = [...new Set(found.map((row) => row.profile_id))].filter((id) => !locked.has(id)).sort();
    if (missing.length === 0) {
      remember(found);
      break;
    }
    const rows = await run<ProfileRow & { merged_into: string | null }>(sql`
      select id, traits, trait_sources, first_seen_at, last_seen_at, event_count, created_at, merged_into from profiles
      where id = any(${textArray(missing)}::text[]) order by id for update`);
    for (const row of rows) locked.set(row.id, row);
    // Our identifiers are locked, so only a merge that committed while we waited for these rows
    // can have moved them: look again only then.
    if (rows.length === missing.length && rows.every((row) => row.merged_into === null)) {
      remember(found);
      break;
    }
    for (const row of rows) if (row.merged_into !== null) locked.delete(row.id);
  }
  const ids = [...locked.keys()];
  if (ids.length === 0) return;
  const counts = await run<{ profile_id: string; type: string; scope: string; n: string | number }>(sql`
    select profile_id, type, scope, count(*) as n from identities
    where profile_id = any(${textArray(ids)}::text[]) group by 1, 2, 3`);
  for (const row of locked.values()) {
    const profile: PlannedProfile = {
      id: row.id,
      createdAt: pgTimestamp(row.created_at),
      traits: row.traits,
      traitSources: row.trait_sources,
      firstSeenAt: toDate(row.first_seen_at),
      lastSeenAt: toDate(row.last_seen_at),
      eventCount: row.event_count,
      counts: new Map(),
      isNew: false,
      mergedInto: null,
      changed: false,
    };
    plan.profiles.set(profile.id, profile);
  }
  for (const row of counts) plan.profiles.get(row.profile_id)?.counts.set(`${row.type}\u0000${row.scope}`, Number(row.n));
  const apart = await run<{ profile_a: string; profile_b: string }>(sql`
    select profile_a, profile_b from identity_separations
    where profile_a = any(${textArray(ids)}::text[]) or profile_b = any(${textArray(ids)}::text[])`);
  for (const row of apart) plan.keepApart(row.profile_a, row.profile_b);
}
