import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { Runtime } from '../runtime.js';

/** Work waiting in one queue: `events` (the pipeline) or a destination connector's outbox. */
export interface QueueStats {
  queue: string;
  /** Pending items, due or not. */
  depth: number;
  /** Age of the oldest pending item (since it was written), 0 when empty. */
  oldestAgeSeconds: number;
}

/**
 * Depth and oldest age of the pipeline queue and of every destination outbox with pending
 * deliveries, or of one destination's outbox with `connectorId` (always one entry, zeros when empty).
 *
 * @example
 * const [crm] = await queueStats(runtime.database, 'crm-hook'); // { queue: 'crm-hook', depth: 12, oldestAgeSeconds: 3.2 }
 */
export async function queueStats(database: Database, connectorId?: string): Promise<QueueStats[]> {
  const rows = await database.query<{ queue: string; depth: string | number; oldest: string | number | null }>(
    connectorId === undefined
      ? sql`
        select 'events' as queue, count(*) as depth,
          extract(epoch from now() - (select received_at from events where id = (select min(event_id) from event_queue where state = 'pending'))) as oldest
        from event_queue where state = 'pending'
        union all
        select connector_id, count(*), extract(epoch from now() - min(created_at)) from deliveries where status = 'pending' group by connector_id`
      : sql`
        select ${connectorId}::text as queue, count(*) as depth, extract(epoch from now() - min(created_at)) as oldest
        from deliveries where connector_id = ${connectorId} and status = 'pending'`,
  );
  return rows.map((row) => ({ queue: row.queue, depth: Number(row.depth), oldestAgeSeconds: Math.max(0, Number(row.oldest ?? 0)) }));
}

/** Sets the `weft_queue_depth` and `weft_queue_oldest_age_seconds` gauges from `queueStats`. */
export async function refreshQueueMetrics(runtime: Runtime): Promise<void> {
  const stats = await queueStats(runtime.database);
  runtime.metrics.queueDepth.reset();
  runtime.metrics.queueOldestAgeSeconds.reset();
  for (const { queue, depth, oldestAgeSeconds } of stats) {
    runtime.metrics.queueDepth.set({ queue }, depth);
    runtime.metrics.queueOldestAgeSeconds.set({ queue }, oldestAgeSeconds);
  }
}
