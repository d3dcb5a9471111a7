import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export interface DeliveryAttempt {
  at: string;
  /** `replayed`: an operator moved the dead letter back to pending (`weft deliveries replay`). */
  outcome: 'ok' | 'retry' | 'fail' | 'paused' | 'replayed';
  error?: string;
  status?: number;
  /** When the next attempt was scheduled, for retries. */
  nextAttemptAt?: string;
}

/**
 * The outbox: one row per event per destination action. `status` is `pending` (due at
 * `next_attempt_at`; a claim pushes it forward as a lease), `delivered` or `dead`.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connectorId: text('connector_id').notNull(),
    action: text('action').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    eventId: bigint('event_id', { mode: 'number' }),
    messageId: text('message_id').notNull(),
    payload: jsonb('payload').notNull(),
    batchKey: text('batch_key'),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastError: text('last_error'),
    history: jsonb('history').$type<DeliveryAttempt[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    uniqueIndex('deliveries_idempotency_idx').on(table.idempotencyKey),
    index('deliveries_due_idx').on(table.connectorId, table.nextAttemptAt).where(sql`status = 'pending'`),
    index('deliveries_status_idx').on(table.connectorId, table.status, table.updatedAt),
  ],
);
