import { sql } from 'drizzle-orm';
import { pgTimestamp, type Database } from '../db/client.js';
import type { LedgerKind, TraitSource } from '../db/schema/index.js';
import { invalid, notFound } from '../errors.js';
import type { IdentifierTypes } from '../identity/types.js';

export interface IdentityView {
  type: string;
  scope: string | null;
  value: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface ProfileView {
  id: string;
  traits: Record<string, unknown>;
  traitSources: Record<string, TraitSource>;
  identities: IdentityView[];
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  eventCount: number;
  createdAt: string;
}

export interface TimelineEvent {
  eventId: number;
  messageId: string;
  sourceId: string;
  type: string;
  event: string | null;
  occurredAt: string;
  properties: Record<string, unknown> | null;
  traits: Record<string, unknown> | null;
}

export interface LinkView {
  id: number;
  from: { type: string; scope: string | null; value: string };
  to: { type: string; scope: string | null; value: string };
  rule: string;
  confidence: number;
  eventId: number | null;
  at: string;
  removedAt: string | null;
  evidence: Record<string, unknown> | null;
}

export interface LedgerView {
  id: number;
  at: string;
  kind: LedgerKind;
  profileId: string;
  /** The other profile of a merge, conflict or unmerge. */
  otherProfileId: string | null;
  summary: string;
  eventId: number | null;
  rule: string | null;
  confidence: number | null;
  details: Record<string, unknown> | null;
}

const iso = (value: Date | string | null) => (value === null ? null : pgTimestamp(value).toISOString());
const scopeOf = (scope: string) => (scope === '' ? null : scope);

/** Reading profiles: by id (following merges), by identifier, their timeline and their identity history. */
export class ProfileService {
  constructor(
    private readonly database: Database,
    private readonly types: IdentifierTypes,
  ) {}

  /** The live profile for an id; a merged-away id answers with its survivor and `redirectedFrom`. */
  async get(id: string): Promise<{ profile: ProfileView; redirectedFrom?: string }> {
    const live = await this.liveId(id);
    if (!live) throw notFound('Profile', id);
    const profile = await this.#view(live);
    return live === id ? { profile } : { profile, redirectedFrom: id };
  }

  /** The profile holding an identifier written as `type:value` or `type:scope:value`. */
  async lookup(identifier: string): Promise<ProfileView> {
    const { type, scope, value } = await this.types.parse(identifier);
    // One round trip: the identity, its profile and all the profile's identities (the hot path of personalisation).
    const [row] = await this.database.query<ProfileRow>(sql`
      select ${profileColumns} from identities i join profiles p on p.id = i.profile_id
      where i.type = ${type} and i.scope = ${scope} and i.value = ${value}`);
    if (!row) throw notFound('Profile with identifier', identifier);
    return profileView(row);
  }

  /** Follows `merged_into` to the live profile; `undefined` for an unknown id. */
  async liveId(id: string): Promise<string | undefined> {
    let current = id;
    for (let hops = 0; hops < 100; hops++) {
      const [row] = await this.database.query<{ merged_into: string | null }>(sql`select merged_into from profiles where id = ${current}`);
      if (!row) return undefined;
      if (!row.merged_into) return current;
      current = row.merged_into;
    }
    return current;
  }

  /** Newest first, `limit` at a time; `cursor` is the opaque `nextCursor` of the previous page. */
  async timeline(id: string, limit: number, cursor?: string): Promise<{ events: TimelineEvent[]; nextCursor: string | null }> {
    const live = await this.liveId(id);
    if (!live) throw notFound('Profile', id);
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await this.database.query<{
      event_id: string | number;
      occurred_at: Date | string;
      traits: Record<string, unknown> | null;
      message_id: string;
      source_id: string;
      type: string;
      payload: Record<string, unknown>;
    }>(sql`
      select pe.event_id, pe.occurred_at, pe.traits, e.message_id, e.source_id, e.type, e.payload
      from profile_events pe join events e on e.id = pe.event_id
      where pe.profile_id = ${live}
        ${after ? sql`and (pe.occurred_at, pe.event_id) < (${after.at}::timestamptz, ${after.id})` : sql``}
      order by pe.occurred_at desc, pe.event_id desc
      limit ${limit + 1}`);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map((row) => ({
        eventId: Number(row.event_id),
        messageId: row.message_id,
        sourceId: row.source_id,
        type: row.type,
        event: typeof row.payload['event'] === 'string' ? (row.payload['event'] as string) : typeof row.payload['name'] === 'string' ? (row.payload['name'] as string) : null,
        occurredAt: iso(row.occurred_at)!,
        properties: (row.payload['properties'] as Record<string, unknown> | undefined) ?? null,
        traits: row.traits,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(iso(last.occurred_at)!, Number(last.event_id)) : null,
    };
  }

  /** Why the profile's identifiers belong together: the links between them and the ledger of it and of every profile merged into it. */
  async explain(id: string): Promise<{ profileId: string; identities: IdentityView[]; links: LinkView[]; ledger: LedgerView[] }> {
    const live = await this.liveId(id);
    if (!live) throw notFound('Profile', id);
    const identities = await this.#identities(live);
    const links = await this.database.query<{
      id: string | number;
      rule: string;
      confidence: number;
      event_id: string | number | null;
      created_at: Date | string;
      removed_at: Date | string | null;
      evidence: Record<string, unknown> | null;
      f_type: string;
      f_scope: string;
      f_value: string;
      t_type: string;
      t_scope: string;
      t_value: string;
    }>(sql`
      select l.id, l.rule, l.confidence, l.event_id, l.created_at, l.removed_at, l.evidence,
        f.type as f_type, f.scope as f_scope, f.value as f_value, t.type as t_type, t.scope as t_scope, t.value as t_value
      from identity_links l join identities f on f.id = l.from_identity_id join identities t on t.id = l.to_identity_id
      where f.profile_id = ${live} or t.profile_id = ${live}
      union all
      -- The links identities carry (an event attached them); they never cross profiles, as an unmerge moves the ones it removes to identity_links.
      select t.id, 'event', 1, t.attached_event_id, t.first_seen_at, null, null,
        f.type, f.scope, f.value, t.type, t.scope, t.value
      from identities t join identities f on f.id = t.attached_to_id
      where t.profile_id = ${live} and t.attached_to_id is not null
      order by id`);
    const ledger = await this.database.query<{
      id: string | number;
      at: Date | string;
      kind: LedgerKind;
      profile_id: string;
      other_profile_id: string | null;
      summary: string;
      event_id: string | number | null;
      rule: string | null;
      confidence: number | null;
      details: Record<string, unknown> | null;
    }>(sql`
      with recursive family(id) as (
        select ${live}::text
        union select p.id from profiles p join family f on p.merged_into = f.id
      )
      select id, at, kind, profile_id, other_profile_id, summary, event_id, rule, confidence, details from identity_ledger
      where profile_id in (select id from family) or other_profile_id in (select id from family)
      order by id`);
    return {
      profileId: live,
      identities,
      links: links.map((row) => ({
        id: Number(row.id),
        from: { type: row.f_type, scope: scopeOf(row.f_scope), value: row.f_value },
        to: { type: row.t_type, scope: scopeOf(row.t_scope), value: row.t_value },
        rule: row.rule,
        confidence: row.confidence,
        eventId: row.event_id === null ? null : Number(row.event_id),
        at: iso(row.created_at)!,
        removedAt: iso(row.removed_at),
        evidence: row.evidence,
      })),
      ledger: ledger.map((row) => ({
        id: Number(row.id),
        at: iso(row.at)!,
        kind: row.kind,
        profileId: row.profile_id,
        otherProfileId: row.other_profile_id,
        summary: row.summary,
        eventId: row.event_id === null ? null : Number(row.event_id),
        rule: row.rule,
        confidence: row.confidence,
        details: row.details,
      })),
    };
  }

  async #view(id: string): Promise<ProfileView> {
    const [row] = await this.database.query<ProfileRow>(sql`select ${profileColumns} from profiles p where p.id = ${id}`);
    if (!row) throw notFound('Profile', id);
    return profileView(row);
  }

  async #identities(profileId: string): Promise<IdentityView[]> {
    const rows = await this.database.query<{ type: string; scope: string; value: string; first_seen_at: Date | string; last_seen_at: Date | string }>(sql`
      select type, scope, value, first_seen_at, last_seen_at from identities where profile_id = ${profileId} order by id`);
    return rows.map((row) => ({ type: row.type, scope: scopeOf(row.scope), value: row.value, firstSeenAt: iso(row.first_seen_at)!, lastSeenAt: iso(row.last_seen_at)! }));
  }
}

interface ProfileRow {
  id: string;
  traits: Record<string, unknown>;
  trait_sources: Record<string, TraitSource>;
  first_seen_at: Date | string | null;
  last_seen_at: Date | string | null;
  event_count: number;
  created_at: Date | string;
  identities: Array<{ type: string; scope: string; value: string; first_seen_at: string; last_seen_at: string }>;
}

/** A profile row with its identities gathered in the same statement (`p` is the profiles table). */
const profileColumns = sql`p.id, p.traits, p.trait_sources, p.first_seen_at, p.last_seen_at, p.event_count, p.created_at,
  (select coalesce(json_agg(json_build_object('type', x.type, 'scope', x.scope, 'value', x.value, 'first_seen_at', x.first_seen_at, 'last_seen_at', x.last_seen_at) order by x.id), '[]')
   from identities x where x.profile_id = p.id) as identities`;

function profileView(row: ProfileRow): ProfileView {
  return {
    id: row.id,
    traits: row.traits,
    traitSources: row.trait_sources,
    identities: row.identities.map((identity) => ({
      type: identity.type,
      scope: scopeOf(identity.scope),
      value: identity.value,
      firstSeenAt: iso(identity.first_seen_at)!,
      lastSeenAt: iso(identity.last_seen_at)!,
    })),
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: iso(row.last_seen_at),
    eventCount: row.event_count,
    createdAt: iso(row.created_at)!,
  };
}

function encodeCursor(at: string, id: number): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

const cursorTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function decodeCursor(cursor: string): { at: string; id: number } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    // Only what encodeCursor writes: a UTC instant as toISOString() gives it (a year of four digits, as
    // ingest allows) and an event id; anything else would reach the database as a value it refuses.
    if (typeof at === 'string' && cursorTime.test(at) && !Number.isNaN(Date.parse(at)) && Number.isSafeInteger(id) && (id as number) >= 0) return { at, id: id as number };
  } catch {
    // fall through to the error below
  }
  throw invalid(`Cursor '${cursor}' is not one this API handed out`);
}
