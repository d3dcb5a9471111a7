import { hash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Run } from '../db/client.js';
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

const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));

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
        firstSeenAt: new Date(row.first_seen_at),
        lastSeenAt: new Date(row.last_seen_at),
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
      createdAt: new Date(row.created_at),
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

/**
 * Writes everything the plan decided, set-based (a handful of statements per batch).
 *
 * @returns the profile each resolved event now belongs to.
 */
export async function writePlan(run: Run, plan: IdentityPlan): Promise<Map<number, string>> {
  const profiles = [...plan.profiles.values()];
  const profileRecord = (profile: PlannedProfile) => ({
    id: profile.id,
    traits: profile.traits,
    trait_sources: profile.traitSources,
    first_seen_at: profile.firstSeenAt?.toISOString() ?? null,
    last_seen_at: profile.lastSeenAt?.toISOString() ?? null,
    event_count: profile.eventCount,
    merged_into: profile.mergedInto ? plan.find(profile.id) : null,
    created_at: profile.createdAt.toISOString(),
  });
  const fresh = profiles.filter((profile) => profile.isNew).map(profileRecord);
  if (fresh.length > 0) {
    await run(sql`
      insert into profiles (id, traits, trait_sources, first_seen_at, last_seen_at, event_count, merged_into, created_at, updated_at)
      select id, traits, trait_sources, first_seen_at, last_seen_at, event_count, merged_into, created_at, now()
      from jsonb_to_recordset(${json(fresh)}::jsonb) as p(id text, traits jsonb, trait_sources jsonb, first_seen_at timestamptz,
        last_seen_at timestamptz, event_count int, merged_into text, created_at timestamptz)`);
  }
  const changed = profiles.filter((profile) => !profile.isNew && profile.changed).map(profileRecord);
  if (changed.length > 0) {
    await run(sql`
      update profiles p set traits = c.traits, trait_sources = c.trait_sources, first_seen_at = c.first_seen_at,
        last_seen_at = c.last_seen_at, event_count = c.event_count, merged_into = c.merged_into, updated_at = now()
      from jsonb_to_recordset(${json(changed)}::jsonb) as c(id text, traits jsonb, trait_sources jsonb, first_seen_at timestamptz,
        last_seen_at timestamptz, event_count int, merged_into text)
      where p.id = c.id`);
  }
  const merged = plan.merges.filter((merge) => !plan.profiles.get(merge.loser)?.isNew).map((merge) => ({ loser: merge.loser, survivor: plan.find(merge.loser) }));
  if (merged.length > 0) {
    const moves = json(Object.fromEntries(merged.map((merge) => [merge.loser, merge.survivor])));
    const losers = textArray(merged.map((merge) => merge.loser));
    await run(sql`update identities set profile_id = ${moves}::jsonb ->> profile_id where profile_id = any(${losers}::text[])`);
    await run(sql`update profile_events set profile_id = ${moves}::jsonb ->> profile_id where profile_id = any(${losers}::text[])`);
    await run(sql`delete from identity_blocking_keys where profile_id = any(${losers}::text[])`);
    // Separations follow their profiles into the survivors.
    await run(sql`
      update identity_separations set profile_a = coalesce(${moves}::jsonb ->> profile_a, profile_a), profile_b = coalesce(${moves}::jsonb ->> profile_b, profile_b)
      where profile_a = any(${losers}::text[]) or profile_b = any(${losers}::text[])`);
  }
  const seen = seenRanges(plan);
  const ids = await insertIdentities(run, plan, seen);
  await touchIdentities(run, plan, seen);
  await insertLinks(run, plan, ids);
  await insertLedger(run, plan);
  return insertTimeline(run, plan, ids);
}

async function insertIdentities(run: Run, plan: IdentityPlan, seen: Map<string, SeenRange>): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const created: Array<Record<string, unknown>> = [];
  for (const [key, identity] of plan.identities) {
    if (identity.id !== null) ids.set(key, identity.id);
    else {
      const { type, scope, value } = identity.identifier;
      const range = seen.get(key);
      created.push({
        type,
        scope,
        value,
        profile_id: plan.find(identity.profileId),
        origin_profile_id: identity.originProfileId,
        first_seen_at: range?.first.toISOString() ?? null,
        last_seen_at: range?.last.toISOString() ?? null,
      });
    }
  }
  if (created.length === 0) return ids;
  const rows = await run<{ id: string | number; type: string; scope: string; value: string }>(sql`
    insert into identities (type, scope, value, profile_id, origin_profile_id, first_seen_at, last_seen_at)
    select type, scope, value, profile_id, origin_profile_id, coalesce(first_seen_at, now()), coalesce(last_seen_at, now())
    from jsonb_to_recordset(${json(created)}::jsonb) as r(type text, scope text, value text, profile_id text, origin_profile_id text,
      first_seen_at timestamptz, last_seen_at timestamptz)
    returning id, type, scope, value`);
  for (const row of rows) {
    const key = identifierKey(row.type, row.scope, row.value);
    ids.set(key, Number(row.id));
    plan.identities.get(key)!.id = Number(row.id);
  }
  return ids;
}

interface SeenRange {
  first: Date;
  last: Date;
}

/** When each identifier of the batch was first and last seen in it. */
function seenRanges(plan: IdentityPlan): Map<string, SeenRange> {
  const ranges = new Map<string, SeenRange>();
  for (const entry of plan.timeline) {
    for (const key of entry.identityKeys) {
      const range = ranges.get(key);
      if (!range) ranges.set(key, { first: entry.occurredAt, last: entry.occurredAt });
      else {
        if (entry.occurredAt < range.first) range.first = entry.occurredAt;
        if (entry.occurredAt > range.last) range.last = entry.occurredAt;
      }
    }
  }
  return ranges;
}

/** Identities seen again are written only when that moves their first/last seen by more than this. */
const seenResolutionMs = 60_000;

/** Widens stored identities' first/last seen to the batch's events (minute resolution: no write per sighting). */
async function touchIdentities(run: Run, plan: IdentityPlan, seen: Map<string, SeenRange>): Promise<void> {
  const records: Array<{ id: number; first: string; last: string }> = [];
  for (const [key, range] of seen) {
    const identity = plan.identities.get(key);
    if (!identity?.id || !identity.firstSeenAt || !identity.lastSeenAt) continue;
    const later = range.last.getTime() - identity.lastSeenAt.getTime() > seenResolutionMs;
    const earlier = identity.firstSeenAt.getTime() - range.first.getTime() > seenResolutionMs;
    if (later || earlier) records.push({ id: identity.id, first: range.first.toISOString(), last: range.last.toISOString() });
  }
  if (records.length === 0) return;
  await run(sql`
    update identities i set last_seen_at = greatest(i.last_seen_at, t.last), first_seen_at = least(i.first_seen_at, t.first)
    from jsonb_to_recordset(${json(records)}::jsonb) as t(id bigint, first timestamptz, last timestamptz) where i.id = t.id`);
}

async function insertLinks(run: Run, plan: IdentityPlan, ids: Map<string, number>): Promise<void> {
  const links = plan.links
    .map((link) => ({ from_id: ids.get(link.from), to_id: ids.get(link.to), rule: link.rule, confidence: link.confidence, event_id: link.eventId, evidence: link.evidence }))
    .filter((link) => link.from_id !== undefined && link.to_id !== undefined);
  if (links.length === 0) return;
  await run(sql`
    insert into identity_links (from_identity_id, to_identity_id, rule, confidence, event_id, evidence)
    select from_id, to_id, rule, confidence, event_id, evidence
    from jsonb_to_recordset(${json(links)}::jsonb) as l(from_id bigint, to_id bigint, rule text, confidence real, event_id bigint, evidence jsonb)`);
}

async function insertLedger(run: Run, plan: IdentityPlan): Promise<void> {
  if (plan.ledger.length === 0) return;
  const rows = plan.ledger.map((entry) => ({
    kind: entry.kind,
    profile_id: entry.profileId,
    other_profile_id: entry.otherProfileId,
    event_id: entry.eventId,
    rule: entry.rule,
    confidence: entry.confidence,
    summary: entry.summary,
    details: entry.details,
  }));
  await run(sql`
    insert into identity_ledger (kind, profile_id, other_profile_id, event_id, rule, confidence, summary, details)
    select kind, profile_id, other_profile_id, event_id, rule, confidence, summary, details
    from jsonb_to_recordset(${json(rows)}::jsonb) as l(kind text, profile_id text, other_profile_id text, event_id bigint,
      rule text, confidence real, summary text, details jsonb)`);
}

async function insertTimeline(run: Run, plan: IdentityPlan, ids: Map<string, number>): Promise<Map<number, string>> {
  const resolved = new Map<number, string>();
  if (plan.timeline.length === 0) return resolved;
  const rows = plan.timeline.map((entry) => {
    const profileId = plan.find(entry.profileId);
    resolved.set(entry.eventId, profileId);
    const identityIds = entry.identityKeys.map((key) => ids.get(key)).filter((id): id is number => id !== undefined);
    return { event_id: entry.eventId, profile_id: profileId, occurred_at: entry.occurredAt.toISOString(), identity_ids: identityIds, traits: entry.traits };
  });
  // An event resolved once keeps its place (a replay through the pipeline adds nothing).
  await run(sql`
    insert into profile_events (event_id, profile_id, occurred_at, identity_ids, traits)
    select event_id, profile_id, occurred_at, identity_ids, traits
    from jsonb_to_recordset(${json(rows)}::jsonb) as e(event_id bigint, profile_id text, occurred_at timestamptz, identity_ids jsonb, traits jsonb)
    on conflict (event_id) do nothing`);
  return resolved;
}
