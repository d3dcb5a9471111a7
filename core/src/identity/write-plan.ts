import { sql } from 'drizzle-orm';
import type { Run } from '../db/client.js';
import type { IdentityPlan, PlannedLink, PlannedProfile } from './plan.js';
import { moveReviews } from './reviews.js';
import { textArray } from './store.js';
import { identifierKey } from './types.js';

const json = (value: unknown) => JSON.stringify(value);

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
    await moveReviews(run, moves, losers);
  }
  const seen = seenRanges(plan);
  const { carried, rest } = carriedLinks(plan);
  const ids = await insertIdentities(run, plan, seen, carried);
  await touchIdentities(run, plan, seen);
  await insertLinks(run, rest, ids);
  await insertLedger(run, plan);
  return insertTimeline(run, plan, ids);
}

/** A link carried by the new identity at one of its ends: the identity at the other end, and the event. */
interface CarriedLink {
  to: string;
  eventId: number;
}

/**
 * Which of the plan's links new identities carry on their own rows: an event's link (rule
 * `event`, confidence 1, no other evidence) with a new identity at one end that carries none yet —
 * every attach, since the identity it attaches is new. The rest are `identity_links` rows.
 */
function carriedLinks(plan: IdentityPlan): { carried: Map<string, CarriedLink>; rest: PlannedLink[] } {
  const carried = new Map<string, CarriedLink>();
  const rest: PlannedLink[] = [];
  const canCarry = (key: string) => plan.identities.get(key)?.id === null && !carried.has(key);
  for (const link of plan.links) {
    const plain = link.rule === 'event' && link.confidence === 1 && link.evidence === null && link.eventId !== null;
    const carrier = !plain ? undefined : canCarry(link.to) ? link.to : canCarry(link.from) ? link.from : undefined;
    if (carrier === undefined) rest.push(link);
    else carried.set(carrier, { to: carrier === link.to ? link.from : link.to, eventId: link.eventId! });
  }
  return { carried, rest };
}

/**
 * Inserts the plan's new identities, with the links they carry, in one statement: their ids are
 * drawn first (one `nextval` per row), so a link between two identities of the batch can name both.
 */
async function insertIdentities(run: Run, plan: IdentityPlan, seen: Map<string, SeenRange>, carried: Map<string, CarriedLink>): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const fresh = new Map<string, number>();
  for (const [key, identity] of plan.identities) {
    if (identity.id !== null) ids.set(key, identity.id);
    else fresh.set(key, fresh.size);
  }
  if (fresh.size === 0) return ids;
  const created = [...fresh.keys()].map((key, n) => {
    const identity = plan.identities.get(key)!;
    const { type, scope, value } = identity.identifier;
    const range = seen.get(key);
    const profileId = plan.find(identity.profileId);
    const link = carried.get(key);
    const first = range?.first.toISOString() ?? null;
    const last = range?.last.toISOString() ?? null;
    // Left out when they repeat another field, as they mostly do: fewer bytes to send and parse.
    return {
      n,
      type,
      scope,
      value,
      profile_id: profileId,
      origin_profile_id: identity.originProfileId === profileId ? null : identity.originProfileId,
      first_seen_at: first,
      last_seen_at: last === first ? null : last,
      attached_to_id: link ? (ids.get(link.to) ?? null) : null,
      attached_to_n: link ? (fresh.get(link.to) ?? null) : null,
      attached_event_id: link?.eventId ?? null,
    };
  });
  const rows = await run<{ id: string | number; type: string; scope: string; value: string }>(sql`
    with r as (
      select r.*, nextval('identities_id_seq') as id
      from jsonb_to_recordset(${json(created)}::jsonb) as r(n int, type text, scope text, value text, profile_id text, origin_profile_id text,
        first_seen_at timestamptz, last_seen_at timestamptz, attached_to_id bigint, attached_to_n int, attached_event_id bigint)
    )
    insert into identities (id, type, scope, value, profile_id, origin_profile_id, first_seen_at, last_seen_at, attached_to_id, attached_event_id)
    select r.id, r.type, r.scope, r.value, r.profile_id, coalesce(r.origin_profile_id, r.profile_id), coalesce(r.first_seen_at, now()),
      coalesce(r.last_seen_at, r.first_seen_at, now()), coalesce(r.attached_to_id, a.id), r.attached_event_id
    from r left join r a on a.n = r.attached_to_n
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

/** The links no new identity carries: between identities that were stored before, or more than one per identity. */
async function insertLinks(run: Run, links: PlannedLink[], ids: Map<string, number>): Promise<void> {
  const rows = links
    .map((link) => ({ from_id: ids.get(link.from), to_id: ids.get(link.to), rule: link.rule, confidence: link.confidence, event_id: link.eventId, evidence: link.evidence }))
    .filter((link) => link.from_id !== undefined && link.to_id !== undefined);
  if (rows.length === 0) return;
  await run(sql`
    insert into identity_links (from_identity_id, to_identity_id, rule, confidence, event_id, evidence)
    select from_id, to_id, rule, confidence, event_id, evidence
    from jsonb_to_recordset(${json(rows)}::jsonb) as l(from_id bigint, to_id bigint, rule text, confidence real, event_id bigint, evidence jsonb)`);
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
