import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The event log: append-only, one row per accepted event, never updated. Where an event is in the
 * pipeline lives beside it in `event_queue`, so routing an event writes a narrow row instead of
 * copying the whole event (payload included) twice.
 */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sourceId: text('source_id').notNull(),
    messageId: text('message_id').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('events_source_message_idx').on(table.sourceId, table.messageId), index('events_received_idx').on(table.receivedAt)],
);

/**
 * The pipeline queue: one row per event not yet routed (`pending`) or given up on (`failed`); a
 * routed event's row is deleted, so an event without one is done. A claim pushes `lease_until`
 * forward; an expired lease makes the event claimable again. No foreign key to `events` (its check
 * would cost ingest a trigger call per event): whatever deletes an event deletes its queue row.
 */
export const eventQueue = pgTable(
  'event_queue',
  {
    eventId: bigint('event_id', { mode: 'number' }).primaryKey(),
    state: text('state').notNull().default('pending'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    /** When the event was given up on (`failed`). */
    failedAt: timestamp('failed_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [index('event_queue_pending_idx').on(table.eventId).where(sql`state = 'pending'`)],
);
