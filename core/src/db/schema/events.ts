import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The append-only event log, doubling as the pipeline queue: `state` is `pending` until a
 * pipeline worker has written every outbox row for it (`done`) or dead-lettered it (`failed`).
 * A claim pushes `lease_until` forward; an expired lease makes the event claimable again.
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
    state: text('state').notNull().default('pending'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    uniqueIndex('events_source_message_idx').on(table.sourceId, table.messageId),
    index('events_pending_idx').on(table.id).where(sql`state = 'pending'`),
    index('events_received_idx').on(table.receivedAt),
  ],
);
