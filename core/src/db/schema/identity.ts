import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** Where a trait's current value came from; decides which write wins (DESIGN §7). */
export interface TraitSource {
  source: string;
  at: string;
  eventId: number | null;
}

/**
 * One person. A profile merged into another keeps its row with `merged_into` set, so old ids
 * still resolve and an unmerge can bring the profile back under its own id.
 */
export const profiles = pgTable(
  'profiles',
  {
    id: text('id').primaryKey(),
    traits: jsonb('traits').$type<Record<string, unknown>>().notNull().default({}),
    traitSources: jsonb('trait_sources').$type<Record<string, TraitSource>>().notNull().default({}),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true, mode: 'date' }),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }),
    eventCount: integer('event_count').notNull().default(0),
    mergedInto: text('merged_into'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [index('profiles_merged_into_idx').on(table.mergedInto).where(sql`merged_into is not null`)],
);

/**
 * A normalised identifier `(type, scope, value)` and the one profile it belongs to. An identifier
 * an event attached to a profile carries that link itself (`attached_to_id`, `attached_event_id`):
 * the edge to the identifier it was attached by, with rule `event` and confidence 1. Its id is
 * the link's id (links and identities share one sequence); every other link is an
 * `identity_links` row. One row per attach instead of two halves the graph's writes.
 */
export const identities = pgTable(
  'identities',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    type: text('type').notNull(),
    /** Empty for global types; the namespace (a WeChat app id) for scoped ones. */
    scope: text('scope').notNull().default(''),
    value: text('value').notNull(),
    profileId: text('profile_id').notNull(),
    /** The profile it came in with (first joined, or was split off into by an unmerge): an unmerge brings split-off identifiers back to it. */
    originProfileId: text('origin_profile_id').notNull(),
    /** The identity this one was attached by (an event's link); null for a profile's first, or once an unmerge removed the link. */
    attachedToId: bigint('attached_to_id', { mode: 'number' }),
    /** The event that attached it. */
    attachedEventId: bigint('attached_event_id', { mode: 'number' }),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('identities_key_idx').on(table.type, table.scope, table.value), index('identities_profile_idx').on(table.profileId)],
);

/**
 * The edges of the identity graph: evidence that two identifiers are the same person. A profile
 * is what its links connect; removing a link (unmerge) splits it along the remaining ones.
 */
export const identityLinks = pgTable(
  'identity_links',
  {
    // From the identities' sequence: an attach link's id is its identity's, and no link id is both.
    id: bigint('id', { mode: 'number' })
      .primaryKey()
      .default(sql`nextval('identities_id_seq')`),
    fromIdentityId: bigint('from_identity_id', { mode: 'number' }).notNull(),
    toIdentityId: bigint('to_identity_id', { mode: 'number' }).notNull(),
    /** `event`, `manual`, `review`, or `probabilistic:<connector>`. */
    rule: text('rule').notNull(),
    confidence: real('confidence').notNull().default(1),
    eventId: bigint('event_id', { mode: 'number' }),
    evidence: jsonb('evidence').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true, mode: 'date' }),
    removedReason: text('removed_reason'),
  },
  (table) => [index('identity_links_from_idx').on(table.fromIdentityId), index('identity_links_to_idx').on(table.toIdentityId)],
);

/**
 * What a ledger row records: a profile created, two merged, a merge refused (`conflict`), a profile
 * split (`unmerged`, one row per resulting profile), a review queued or decided. Attaching an
 * identifier writes no row: the link it makes (carried on the identity) is its record.
 */
export const ledgerKinds = ['created', 'merged', 'conflict', 'unmerged', 'review'] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

/** What happened to profiles, with its evidence: what `explain` reads next to the links. */
export const identityLedger = pgTable(
  'identity_ledger',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    kind: text('kind').$type<LedgerKind>().notNull(),
    profileId: text('profile_id').notNull(),
    otherProfileId: text('other_profile_id'),
    eventId: bigint('event_id', { mode: 'number' }),
    rule: text('rule'),
    confidence: real('confidence'),
    summary: text('summary').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (table) => [index('identity_ledger_profile_idx').on(table.profileId, table.id), index('identity_ledger_other_idx').on(table.otherProfileId)],
);

/** The timeline: which profile each processed event belongs to, and the traits it set. */
export const profileEvents = pgTable(
  'profile_events',
  {
    eventId: bigint('event_id', { mode: 'number' }).primaryKey(),
    profileId: text('profile_id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The event's identities, highest priority first: an unmerge re-attributes the event by them. */
    identityIds: jsonb('identity_ids').$type<number[]>().notNull(),
    traits: jsonb('traits').$type<Record<string, unknown>>(),
  },
  (table) => [index('profile_events_timeline_idx').on(table.profileId, table.occurredAt, table.eventId)],
);

/** Identifier types changed from their defaults, or added (`PUT /identity/types/:type`, `weft.yaml`). */
export const identifierTypes = pgTable('identifier_types', {
  type: text('type').primaryKey(),
  scoped: boolean('scoped').notNull().default(false),
  normalizer: text('normalizer').notNull().default('trim'),
  maxPerProfile: integer('max_per_profile'),
  priority: integer('priority').notNull().default(50),
  blocked: jsonb('blocked').$type<string[]>().notNull().default([]),
  blockedPatterns: jsonb('blocked_patterns').$type<string[]>().notNull().default([]),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Pairs a probabilistic resolver scored between its thresholds, waiting for a person's decision. */
export const identityReviews = pgTable(
  'identity_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    resolver: text('resolver').notNull(),
    profileA: text('profile_a').notNull(),
    profileB: text('profile_b').notNull(),
    probability: real('probability').notNull(),
    weight: real('weight').notNull(),
    fields: jsonb('fields').$type<unknown[]>().notNull(),
    status: text('status').notNull().default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    decidedBy: text('decided_by'),
  },
  (table) => [
    uniqueIndex('identity_reviews_pair_idx').on(table.resolver, table.profileA, table.profileB),
    index('identity_reviews_status_idx').on(table.status, table.id),
    // Merges move reviews into their survivors: found by either profile.
    index('identity_reviews_a_idx').on(table.profileA),
    index('identity_reviews_b_idx').on(table.profileB),
  ],
);

/** Blocking keys of profiles, per probabilistic resolver: candidates are the profiles sharing one. */
export const identityBlockingKeys = pgTable(
  'identity_blocking_keys',
  {
    resolver: text('resolver').notNull(),
    key: text('key').notNull(),
    profileId: text('profile_id').notNull(),
  },
  (table) => [primaryKey({ columns: [table.resolver, table.key, table.profileId] }), index('identity_blocking_keys_profile_idx').on(table.resolver, table.profileId)],
);

/** Batch runs of a probabilistic resolver over every profile. */
export const identityMatchRuns = pgTable('identity_match_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  resolver: text('resolver').notNull(),
  status: text('status').notNull().default('running'),
  total: integer('total').notNull().default(0),
  processed: integer('processed').notNull().default(0),
  compared: integer('compared').notNull().default(0),
  linked: integer('linked').notNull().default(0),
  queued: integer('queued').notNull().default(0),
  error: text('error'),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  /** Written by the process running it while it runs: a stale heartbeat means that process is gone. */
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Identity settings changed from their defaults (`PUT /identity/settings`): trait precedence, phone region. */
export const identitySettings = pgTable('identity_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * Profiles an unmerge split apart: events that carry identifiers of both no longer merge them
 * (the pair follows each side into the profiles it is merged into). An operator's merge lifts it.
 */
export const identitySeparations = pgTable(
  'identity_separations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    profileA: text('profile_a').notNull(),
    profileB: text('profile_b').notNull(),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [index('identity_separations_a_idx').on(table.profileA), index('identity_separations_b_idx').on(table.profileB)],
);
