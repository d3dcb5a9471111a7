import type { z } from 'zod';
import type { deliveries, eventQueue, events } from '../../db/schema/index.js';
import type { deliveryViewSchema, eventViewSchema } from './schemas.js';

export type EventView = z.output<typeof eventViewSchema>;
export type DeliveryView = z.output<typeof deliveryViewSchema>;

/**
 * An event as the API shows it, with its queue row when it has one (an event without one has
 * been routed). The lease is an engine detail and stays hidden.
 */
export function eventView(row: typeof events.$inferSelect, queued: typeof eventQueue.$inferSelect | null): EventView {
  return {
    id: row.id,
    sourceId: row.sourceId,
    messageId: row.messageId,
    type: row.type,
    receivedAt: row.receivedAt.toISOString(),
    state: (queued?.state ?? 'done') as EventView['state'],
    error: queued?.error ?? null,
    attempts: queued?.attempts ?? null,
    failedAt: queued?.failedAt?.toISOString() ?? null,
    payload: row.payload,
  };
}

/** An outbox row as the API shows it. */
export function deliveryView(row: typeof deliveries.$inferSelect): DeliveryView {
  return {
    id: row.id,
    connectorId: row.connectorId,
    action: row.action,
    eventId: row.eventId,
    messageId: row.messageId,
    status: row.status as DeliveryView['status'],
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    lastError: row.lastError,
    history: row.history,
    payload: row.payload,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}
