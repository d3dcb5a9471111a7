import type { z } from 'zod';
import type { deliveries, events } from '../../db/schema/index.js';
import type { deliveryViewSchema, eventViewSchema } from './schemas.js';

export type EventView = z.output<typeof eventViewSchema>;
export type DeliveryView = z.output<typeof deliveryViewSchema>;

/** An event row as the API shows it (the lease is an engine detail and stays hidden). */
export function eventView(row: typeof events.$inferSelect): EventView {
  return {
    id: row.id,
    sourceId: row.sourceId,
    messageId: row.messageId,
    type: row.type,
    receivedAt: row.receivedAt.toISOString(),
    state: row.state as EventView['state'],
    error: row.error,
    attempts: row.attempts,
    processedAt: row.processedAt?.toISOString() ?? null,
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
