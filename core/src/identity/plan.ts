import { randomUUID } from 'node:crypto';
import type { LedgerKind, TraitSource } from '../db/schema/index.js';
import type { NormalizedIdentifier } from './types.js';
import type { TraitRules } from './traits.js';

/** One event to resolve: its identifiers (highest priority first) and what it tells about the person. */
export interface ResolveItem {
  eventId: number;
  sourceId: string;
  occurredAt: Date;
  identifiers: NormalizedIdentifier[];
  traits: Record<string, unknown> | null;
}

/** A profile as the plan sees it: loaded from the database or created by the plan. */
export interface PlannedProfile {
  id: string;
  createdAt: Date;
  traits: Record<string, unknown>;
  traitSources: Record<string, TraitSource>;
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
  eventCount: number;
  /** Distinct identifiers per `type\0scope`, for the limits. */
  counts: Map<string, number>;
  isNew: boolean;
  mergedInto: string | null;
  changed: boolean;
}

export interface PlannedIdentity {
  id: number | null;
  identifier: NormalizedIdentifier;
  profileId: string;
  originProfileId: string;
  /** As stored, for identities loaded from the database. */
  firstSeenAt?: Date;
  lastSeenAt?: Date;
}

export interface PlannedLink {
  from: string;
  to: string;
  rule: string;
  confidence: number;
  eventId: number | null;
  evidence: Record<string, unknown> | null;
}

export interface PlannedLedger {
  kind: Extract<LedgerKind, 'created' | 'merged' | 'conflict'>;
  profileId: string;
  otherProfileId: string | null;
  eventId: number | null;
  rule: string;
  confidence: number;
  summary: string;
  details: Record<string, unknown> | null;
}

export interface PlannedTimeline {
  eventId: number;
  profileId: string;
  occurredAt: Date;
  identityKeys: string[];
  traits: Record<string, unknown> | null;
}

/** A merge the plan made: `loser` now lives on in `survivor`, by `rule`, because of `eventId`. */
export interface PlannedMerge {
  loser: string;
  survivor: string;
  rule: string;
  eventId: number | null;
}

const countKey = (identifier: NormalizedIdentifier) => `${identifier.type}\u0000${identifier.scope}`;
const describe = (identifier: NormalizedIdentifier) => `${identifier.type}:${identifier.scope ? `${identifier.scope}:` : ''}${identifier.value}`;
const olderFirst = (a: PlannedProfile, b: PlannedProfile) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1);

/**
 * Deterministic identity resolution over the part of the graph a batch touches, in memory. The
 * caller loads (and locks) the identities and profiles involved, runs every event through
 * `resolve` in order, then writes what the plan collected in one transaction.
 */
export class IdentityPlan {
  readonly profiles = new Map<string, PlannedProfile>();
  readonly identities = new Map<string, PlannedIdentity>();
  readonly links: PlannedLink[] = [];
  readonly ledger: PlannedLedger[] = [];
  readonly timeline: PlannedTimeline[] = [];
  readonly merges: PlannedMerge[] = [];
  /** Profiles an unmerge split apart, both ways: no event merges them again. */
  readonly separations = new Map<string, Set<string>>();
  #clock: number;

  constructor(
    private readonly rules: TraitRules,
    /** The limit of an identifier type (per scope for scoped ones); `null`: none. */
    private readonly limitOf: (type: string) => number | null,
    now = Date.now(),
  ) {
    this.#clock = now;
  }

  /** The live profile a (possibly merged-away) profile id now belongs to. */
  find(profileId: string): string {
    let id = profileId;
    for (let profile = this.profiles.get(id); profile?.mergedInto; profile = this.profiles.get(id)) id = profile.mergedInto;
    return id;
  }

  /** Records that `a` and `b` were split apart by an unmerge (as loaded from the database). */
  keepApart(a: string, b: string): void {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const apart = this.separations.get(from);
      if (apart) apart.add(to);
      else this.separations.set(from, new Set([to]));
    }
  }

  /** Whether an unmerge split these live profiles (or profiles merged into them) apart. */
  keptApart(a: PlannedProfile, b: PlannedProfile): boolean {
    return this.separations.get(a.id)?.has(b.id) ?? false;
  }

  profileOf(key: string): PlannedProfile | undefined {
    const identity = this.identities.get(key);
    return identity ? this.profiles.get(this.find(identity.profileId)) : undefined;
  }

  /**
   * Resolves one event: its highest-priority identifier picks the profile (a new one when it is
   * unknown); every other identifier is attached to it, or its profile merged into it, unless
   * that would break a type's limit — then they stay apart and the ledger says why.
   *
   * @returns the profile the event belongs to, or `undefined` for an event with no identifiers.
   */
  resolve(item: ResolveItem): string | undefined {
    const [first, ...rest] = item.identifiers;
    if (!first) return undefined;
    let anchor = this.profileOf(first.key) ?? this.#create(first, item);
    const anchorIdentifier = first;
    for (const identifier of rest) {
      const owner = this.profileOf(identifier.key);
      if (owner === anchor) continue;
      if (!owner) {
        const full = this.#limitReached(anchor, [identifier]);
        if (full) this.#conflict(anchor, null, item, `${describe(identifier)} not linked: the profile already has ${full}`, { identifier: describe(identifier) });
        else this.#attach(anchor, identifier, anchorIdentifier, item.eventId, 'event', 1, null);
        continue;
      }
      if (this.keptApart(anchor, owner)) {
        this.#conflict(anchor, owner.id, item, `kept apart from ${owner.id} (${describe(identifier)}): an unmerge split them`, { identifier: describe(identifier) }, 'unmerge');
        continue;
      }
      const full = this.mergeBlockedBy(anchor, owner);
      if (full) {
        this.#conflict(anchor, owner.id, item, `kept apart from ${owner.id} (${describe(identifier)}): together they would have ${full}`, {
          identifier: describe(identifier),
        });
        continue;
      }
      anchor = this.merge(anchor, owner, { from: anchorIdentifier.key, to: identifier.key, rule: 'event', confidence: 1, eventId: item.eventId, evidence: null });
    }
    this.#record(anchor, item);
    return anchor.id;
  }

  /**
   * Merges two live profiles into the older one, with the link that justified it. A profile the
   * current event has just created is simply absorbed (its identifiers attach to the other).
   */
  merge(a: PlannedProfile, b: PlannedProfile, link: PlannedLink): PlannedProfile {
    const [survivor, loser] = [a, b].sort(olderFirst) as [PlannedProfile, PlannedProfile];
    const absorbed = loser.isNew && loser.eventCount === 0;
    for (const [key, count] of loser.counts) survivor.counts.set(key, (survivor.counts.get(key) ?? 0) + count);
    this.rules.merge(survivor, loser);
    survivor.firstSeenAt = minDate(survivor.firstSeenAt, loser.firstSeenAt);
    survivor.lastSeenAt = maxDate(survivor.lastSeenAt, loser.lastSeenAt);
    survivor.eventCount += loser.eventCount;
    survivor.changed = true;
    loser.changed = true;
    loser.mergedInto = survivor.id;
    // What the loser was kept apart from, the survivor now is.
    for (const other of this.separations.get(loser.id) ?? []) this.keepApart(survivor.id, other);
    this.links.push(link);
    if (absorbed) {
      this.profiles.delete(loser.id);
      for (const identity of this.identities.values()) {
        if (identity.profileId === loser.id) identity.profileId = identity.originProfileId = survivor.id;
      }
      // The event's new profile never existed for anyone else: its history is the survivor's.
      for (let index = this.ledger.length - 1; index >= 0; index--) {
        const entry = this.ledger[index]!;
        if (entry.profileId !== loser.id) continue;
        if (entry.kind === 'created') this.ledger.splice(index, 1);
        else entry.profileId = survivor.id;
      }
      return survivor;
    }
    this.merges.push({ loser: loser.id, survivor: survivor.id, rule: link.rule, eventId: link.eventId });
    this.ledger.push(this.#entry('merged', survivor.id, loser.id, link, `merged ${loser.id} into ${survivor.id}: ${describeKey(link.from)} and ${describeKey(link.to)} are the same person`));
    return survivor;
  }

  /** A reason (`2 user_id`) when merging would exceed a limit; `undefined` when it may go ahead. */
  mergeBlockedBy(a: PlannedProfile, b: PlannedProfile): string | undefined {
    for (const [key, count] of b.counts) {
      const [type = '', scope] = key.split('\u0000');
      const limit = this.limitOf(type);
      const total = (a.counts.get(key) ?? 0) + count;
      if (limit !== null && total > limit) return `${total} ${type}${scope ? ` in ${scope}` : ''} (limit ${limit})`;
    }
    return undefined;
  }

  #limitReached(profile: PlannedProfile, identifiers: NormalizedIdentifier[]): string | undefined {
    for (const identifier of identifiers) {
      const count = profile.counts.get(countKey(identifier)) ?? 0;
      if (identifier.limit !== null && count + 1 > identifier.limit) return `${count} ${identifier.type}${identifier.scope ? ` in ${identifier.scope}` : ''} (limit ${identifier.limit})`;
    }
    return undefined;
  }

  #create(first: NormalizedIdentifier, item: ResolveItem): PlannedProfile {
    // Profiles created in one batch keep their order: "oldest" must mean the same in every run.
    const profile: PlannedProfile = {
      id: `prf_${randomUUID()}`,
      createdAt: new Date(this.#clock++),
      traits: {},
      traitSources: {},
      firstSeenAt: null,
      lastSeenAt: null,
      eventCount: 0,
      counts: new Map(),
      isNew: true,
      mergedInto: null,
      changed: true,
    };
    this.profiles.set(profile.id, profile);
    this.#addIdentity(profile, first);
    this.ledger.push({
      kind: 'created',
      profileId: profile.id,
      otherProfileId: null,
      eventId: item.eventId,
      rule: 'event',
      confidence: 1,
      summary: `created for ${describe(first)}`,
      details: null,
    });
    return profile;
  }

  #attach(profile: PlannedProfile, identifier: NormalizedIdentifier, by: NormalizedIdentifier, eventId: number, rule: string, confidence: number, evidence: Record<string, unknown> | null): void {
    this.#addIdentity(profile, identifier);
    // The link row is the record of an attach (with its event and rule); the ledger keeps the
    // events that change profiles: creations, merges, conflicts, unmerges.
    this.links.push({ from: by.key, to: identifier.key, rule, confidence, eventId, evidence });
  }

  #addIdentity(profile: PlannedProfile, identifier: NormalizedIdentifier): void {
    this.identities.set(identifier.key, { id: null, identifier, profileId: profile.id, originProfileId: profile.id });
    profile.counts.set(countKey(identifier), (profile.counts.get(countKey(identifier)) ?? 0) + 1);
    profile.changed = true;
  }

  #conflict(profile: PlannedProfile, other: string | null, item: ResolveItem, summary: string, details: Record<string, unknown>, rule = 'limit'): void {
    this.ledger.push({ kind: 'conflict', profileId: profile.id, otherProfileId: other, eventId: item.eventId, rule, confidence: 1, summary, details });
  }

  #record(profile: PlannedProfile, item: ResolveItem): void {
    if (item.traits) this.rules.apply(profile, item.traits, { source: item.sourceId, at: item.occurredAt.toISOString(), eventId: item.eventId });
    profile.firstSeenAt = minDate(profile.firstSeenAt, item.occurredAt);
    profile.lastSeenAt = maxDate(profile.lastSeenAt, item.occurredAt);
    profile.eventCount++;
    profile.changed = true;
    this.timeline.push({ eventId: item.eventId, profileId: profile.id, occurredAt: item.occurredAt, identityKeys: item.identifiers.map((identifier) => identifier.key), traits: item.traits });
  }

  #entry(kind: PlannedLedger['kind'], profileId: string, other: string | null, link: PlannedLink, summary: string): PlannedLedger {
    return { kind, profileId, otherProfileId: other, eventId: link.eventId, rule: link.rule, confidence: link.confidence, summary, details: link.evidence };
  }
}

/** `type:scope:value` of an identifier key, for people. */
export function describeKey(key: string): string {
  const [type, scope, value] = key.split('\u0000');
  return `${type}:${scope ? `${scope}:` : ''}${value}`;
}

function minDate(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

function maxDate(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
