import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pgTimestamp, type Database, type Run } from '../db/client.js';
import type { TraitSource } from '../db/schema/index.js';
import { WeftError, notFound } from '../errors.js';
import { liveProfileId, profileIdentifiers, typeRanks } from './merge.js';
import { describeKey } from './plan.js';
import { loadForPlan, textArray } from './store.js';
import type { TraitRules } from './traits.js';
import { identifierKey, type IdentifierTypes, type NormalizedIdentifier } from './types.js';
import type { IdentityPlan } from './plan.js';

/** What to take out of a profile: one identifier (and every link it has there), or one link. */
export type UnmergeTarget = { identifier: NormalizedIdentifier } | { linkId: number };

interface IdentityRow {
  id: number;
  key: string;
  originProfileId: string;
}

interface TimelineRow {
  eventId: number;
  identityIds: number[];
  occurredAt: Date;
  traits: Record<string, unknown> | null;
  sourceId: string;
}

/**
 * Splits a profile by removing links (DESIGN §7): the identifiers still connected to the
 * profile's oldest one keep its id; each other connected group becomes a profile of its own —
 * the outermost profile its identifiers came in with, brought back, when that one had been merged
 * in here (directly or through others; the profiles merged into it answer with it again). Events
 * follow their identifiers, and every resulting profile's traits are folded again from its events.
 *
 * @returns the resulting profile ids, the one that kept the id first.
 */
export async function unmergeProfile(
  database: Database,
  types: IdentifierTypes,
  newPlan: () => IdentityPlan,
  rules: TraitRules,
  profileId: string,
  target: UnmergeTarget,
  reason: string | undefined,
): Promise<string[]> {
  const ranks = await typeRanks(types);
  return database.transaction(async (run) => {
    const live = await liveProfileId(run, profileId);
    if (!live) throw notFound('Profile', profileId);
    // Same locks, in the same order, as the pipeline's identity stage takes.
    await loadForPlan(run, newPlan(), await profileIdentifiers(run, ranks, live));
    const identities = await loadIdentities(run, live);
    const merged = await mergedProfiles(run, live, identities);
    const links = await run<{ id: string | number; from_identity_id: string | number; to_identity_id: string | number }>(sql`
      select l.id, l.from_identity_id, l.to_identity_id from identity_links l
      where l.removed_at is null and l.from_identity_id in (select id from identities where profile_id = ${live})
        and l.to_identity_id in (select id from identities where profile_id = ${live})
      union all
      select id, attached_to_id, id from identities where profile_id = ${live} and attached_to_id is not null`);
    const byId = new Map(identities.map((identity) => [identity.id, identity]));
    let removed: number[];
    let leaving = new Set<number>();
    if ('linkId' in target) {
      if (!links.some((link) => Number(link.id) === target.linkId)) {
        throw new WeftError(404, 'not_found', `Profile '${live}' has no link ${target.linkId} between its identifiers (weft profiles explain lists them)`);
      }
      removed = [target.linkId];
    } else {
      const identity = identities.find((row) => row.key === target.identifier.key);
      if (!identity) throw new WeftError(404, 'not_found', `Profile '${live}' has no identifier '${describeKey(target.identifier.key)}'`);
      if (identities.length === 1) throw new WeftError(409, 'conflict', `${describeKey(identity.key)} is the only identifier of profile '${live}'`);
      // An identifier that came in with a merged profile takes that whole profile back out with
      // it, and every profile that had been merged into that one (the links that joined them to
      // the rest go); one attached here directly leaves alone.
      const family = identity.originProfileId;
      const group = merged.has(family)
        ? new Set(identities.filter((row) => merged.get(row.originProfileId)?.includes(family)).map((row) => row.id))
        : new Set([identity.id]);
      leaving = group;
      removed = links
        .filter((link) => group.has(Number(link.from_identity_id)) !== group.has(Number(link.to_identity_id)))
        .map((link) => Number(link.id));
    }
    const kept = links.filter((link) => !removed.includes(Number(link.id)));
    const groups = components(identities, kept.map((link) => [Number(link.from_identity_id), Number(link.to_identity_id)]));
    if (groups.length === 1) throw new WeftError(409, 'conflict', `Removing that leaves profile '${live}' in one piece: other links still connect the same identifiers`);
    // The identifiers that keep the profile: the group of the oldest identifier that is not leaving.
    const oldestStaying = Math.min(...identities.filter((row) => !leaving.has(row.id)).map((row) => row.id));
    const rootGroup = groups.find((group) => group.includes(oldestStaying)) ?? groups[0]!;
    const owners = new Map<number, string>();
    const results: string[] = [live];
    const revived = new Set<string>();
    const created = new Set<string>();
    for (const group of groups) {
      let owner = live;
      if (group !== rootGroup) {
        owner = restoredProfile(group, byId, merged, revived) ?? `prf_${randomUUID()}`;
        (merged.has(owner) ? revived : created).add(owner);
        results.push(owner);
      }
      for (const id of group) owners.set(id, owner);
    }
    await run(sql`update profiles set merged_into = null, updated_at = now() where id = any(${textArray(revived)}::text[])`);
    await run(sql`insert into profiles (id) select unnest(${textArray(created)}::text[])`);
    await redirectMergedProfiles(run, live, identities, owners, merged, revived);
    await removeLinks(run, removed, reason ?? 'unmerge');
    // Identifiers that go to a new profile came in with it now: a later unmerge brings them back to it.
    const moves = JSON.stringify([...owners].filter(([, owner]) => owner !== live).map(([id, owner]) => ({ id, owner, fresh: created.has(owner) })));
    await run(sql`
      update identities i set profile_id = m.owner, origin_profile_id = case when m.fresh then m.owner else i.origin_profile_id end
      from jsonb_to_recordset(${moves}::jsonb) as m(id bigint, owner text, fresh boolean) where i.id = m.id`);
    await reattributeEvents(run, live, owners, rules, results);
    await run(sql`delete from identity_blocking_keys where profile_id = ${live}`);
    await keepApart(run, live, results, reason);
    const summary = `split into ${results.join(', ')}${'linkId' in target ? ` by removing link ${target.linkId}` : ` by detaching ${describeKey(target.identifier.key)}`}`;
    for (const id of results) {
      await run(sql`insert into identity_ledger (kind, profile_id, other_profile_id, rule, confidence, summary, details)
        values ('unmerged', ${id}, ${id === live ? null : live}, 'manual', 1, ${summary}, ${JSON.stringify({ removedLinks: removed, reason: reason ?? null })}::jsonb)`);
    }
    return results;
  });
}

/**
 * Marks links removed. A link an identity carried moves to `identity_links` under the same id,
 * removed: the history keeps it, and the identity carries none any more.
 */
async function removeLinks(run: Run, ids: number[], reason: string): Promise<void> {
  const removed = `{${ids.join(',')}}`;
  await run(sql`update identity_links set removed_at = now(), removed_reason = ${reason} where id = any(${removed}::bigint[])`);
  await run(sql`
    with carried as (
      select id, attached_to_id, attached_event_id, first_seen_at from identities where id = any(${removed}::bigint[]) and attached_to_id is not null for update
    ), dropped as (
      update identities i set attached_to_id = null, attached_event_id = null from carried c where i.id = c.id returning c.*
    )
    insert into identity_links (id, from_identity_id, to_identity_id, rule, confidence, event_id, created_at, removed_at, removed_reason)
    select id, attached_to_id, id, 'event', 1, attached_event_id, first_seen_at, now(), ${reason} from dropped`);
}

/**
 * Records that the profiles of a split stay apart (no later event merges them back), and gives
 * each split-off profile the separations the original had from others.
 */
async function keepApart(run: Run, live: string, results: string[], reason: string | undefined): Promise<void> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < results.length; i++) for (let j = i + 1; j < results.length; j++) pairs.push([results[i]!, results[j]!]);
  const inherited = await run<{ other: string }>(sql`
    select case when profile_a = ${live} then profile_b else profile_a end as other from identity_separations where profile_a = ${live} or profile_b = ${live}`);
  for (const { other } of inherited) for (const id of results) if (id !== live) pairs.push([id, other]);
  await run(sql`
    insert into identity_separations (profile_a, profile_b, reason)
    select a, b, ${reason ?? 'unmerge'} from jsonb_to_recordset(${JSON.stringify(pairs.map(([a, b]) => ({ a, b })))}::jsonb) as p(a text, b text)`);
}

async function loadIdentities(run: Run, profileId: string): Promise<IdentityRow[]> {
  const rows = await run<{ id: string | number; type: string; scope: string; value: string; origin_profile_id: string }>(sql`
    select id, type, scope, value, origin_profile_id from identities where profile_id = ${profileId} order by id`);
  return rows.map((row) => ({ id: Number(row.id), key: identifierKey(row.type, row.scope, row.value), originProfileId: row.origin_profile_id }));
}

/** Connected groups of identities (union-find over the remaining links), each sorted. */
function components(identities: IdentityRow[], edges: Array<[number, number]>): number[][] {
  const parent = new Map(identities.map((identity) => [identity.id, identity.id]));
  const find = (id: number): number => {
    let root = id;
    while (parent.get(root)! !== root) root = parent.get(root)!;
    parent.set(id, root);
    return root;
  };
  for (const [a, b] of edges) if (parent.has(a) && parent.has(b)) parent.set(find(a), find(b));
  const groups = new Map<number, number[]>();
  for (const identity of identities) {
    const root = find(identity.id);
    groups.set(root, [...(groups.get(root) ?? []), identity.id]);
  }
  return [...groups.values()].map((group) => group.sort((a, b) => a - b));
}

/**
 * The profiles `live`'s identifiers came in with that were merged, directly or through others,
 * into `live`, each with its chain of `merged_into`: itself, the profile it was merged into, and so
 * on up to `live` (left out).
 */
async function mergedProfiles(run: Run, live: string, identities: IdentityRow[]): Promise<Map<string, string[]>> {
  const origins = textArray(new Set(identities.map((identity) => identity.originProfileId).filter((origin) => origin !== live)));
  const rows = await run<{ start: string; chain: string[] }>(sql`
    with recursive chain(start, id, merged_into, depth) as (
      select id, id, merged_into, 0 from profiles where id = any(${origins}::text[])
      union all select c.start, p.id, p.merged_into, c.depth + 1 from profiles p join chain c on p.id = c.merged_into
      where c.merged_into <> ${live} and c.depth < 100
    )
    select start, array_agg(id order by depth) as chain from chain group by start having bool_or(merged_into = ${live})`);
  return new Map(rows.map((row) => [row.start, row.chain]));
}

/**
 * The profile a split-off group is restored as: of the merged profiles its identifiers came in
 * with, the outermost (the one the others had been merged into), the oldest identifier's on a tie;
 * `undefined` when there is none left to restore (the group goes to a new profile).
 */
function restoredProfile(group: number[], byId: Map<number, IdentityRow>, merged: Map<string, string[]>, revived: Set<string>): string | undefined {
  const candidates = group.map((id) => byId.get(id)!.originProfileId).filter((origin) => merged.has(origin) && !revived.has(origin));
  return candidates.sort((a, b) => merged.get(a)!.length - merged.get(b)!.length)[0];
}

/**
 * Points each merged profile whose identifiers all went to one profile at that profile, when its
 * old id would answer with another (it had been merged beside the restored profile, or into one
 * restored without its identifiers): an old id answers with the profile that holds its identifiers.
 */
async function redirectMergedProfiles(
  run: Run,
  live: string,
  identities: IdentityRow[],
  owners: Map<number, string>,
  merged: Map<string, string[]>,
  revived: Set<string>,
): Promise<void> {
  const ownersOf = new Map<string, Set<string>>();
  for (const identity of identities) ownersOf.set(identity.originProfileId, (ownersOf.get(identity.originProfileId) ?? new Set()).add(owners.get(identity.id)!));
  const redirects: Array<{ id: string; owner: string }> = [];
  for (const [origin, chain] of merged) {
    const [owner, ...others] = ownersOf.get(origin) ?? [];
    const answers = chain.find((id) => revived.has(id)) ?? live;
    if (owner !== undefined && others.length === 0 && owner !== answers) redirects.push({ id: origin, owner });
  }
  await run(sql`
    update profiles p set merged_into = r.owner, updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(redirects)}::jsonb) as r(id text, owner text) where p.id = r.id`);
}

/** Moves each event to the profile of its highest-priority identity, then refolds every result's traits and counters. */
async function reattributeEvents(run: Run, live: string, owners: Map<number, string>, rules: TraitRules, results: string[]): Promise<void> {
  const rows = await run<{ event_id: string | number; identity_ids: number[]; occurred_at: Date | string; traits: Record<string, unknown> | null; source_id: string }>(sql`
    select pe.event_id, pe.identity_ids, pe.occurred_at, pe.traits, e.source_id from profile_events pe join events e on e.id = pe.event_id
    where pe.profile_id = ${live} order by pe.occurred_at, pe.event_id`);
  const timeline: TimelineRow[] = rows.map((row) => ({ eventId: Number(row.event_id), identityIds: row.identity_ids, occurredAt: pgTimestamp(row.occurred_at), traits: row.traits, sourceId: row.source_id }));
  const ownerOf = (event: TimelineRow) => event.identityIds.map((id) => owners.get(id)).find((owner) => owner !== undefined) ?? live;
  const moves = JSON.stringify(timeline.filter((event) => ownerOf(event) !== live).map((event) => ({ id: event.eventId, owner: ownerOf(event) })));
  await run(sql`update profile_events e set profile_id = m.owner from jsonb_to_recordset(${moves}::jsonb) as m(id bigint, owner text) where e.event_id = m.id`);
  for (const id of results) {
    const own = timeline.filter((event) => ownerOf(event) === id);
    const target = { traits: {} as Record<string, unknown>, traitSources: {} as Record<string, TraitSource> };
    for (const event of own) if (event.traits) rules.apply(target, event.traits, { source: event.sourceId, at: event.occurredAt.toISOString(), eventId: event.eventId });
    const first = own[0]?.occurredAt.toISOString() ?? null;
    const last = own.at(-1)?.occurredAt.toISOString() ?? null;
    await run(sql`update profiles set traits = ${JSON.stringify(target.traits)}::jsonb, trait_sources = ${JSON.stringify(target.traitSources)}::jsonb,
      first_seen_at = ${first}, last_seen_at = ${last}, event_count = ${own.length}, updated_at = now() where id = ${id}`);
  }
}
