import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ConnectorView } from '../../connectors/service.js';
import { pullStreams } from '../../engine/pull-runner.js';
import { PullState } from '../../engine/pull-state.js';
import type { Runtime } from '../../runtime.js';
import { connectorViewSchema } from './schemas.js';

const cursorSchema = z.object({ value: z.union([z.string(), z.number()]), id: z.string().optional() });

/** How one run of a pull stream ended (`POST /connectors/:id/sync` answers these too). */
export const pullRunSchema = z
  .object({
    stream: z.string(),
    outcome: z.enum(['ok', 'failed', 'paused', 'stopped', 'busy']).meta({ description: '`busy`: another runner was reading the stream; `stopped`: cut short by a shutdown' }),
    startedAt: z.string(),
    finishedAt: z.string(),
    records: z.number().int().meta({ description: 'Records the stream yielded' }),
    accepted: z.number().int().meta({ description: 'Stored as new events' }),
    duplicates: z.number().int().meta({ description: 'Already stored (same messageId): re-reads after a crash land here' }),
    cursor: cursorSchema.nullable().meta({ description: 'The saved cursor the run ended with: where the next run starts' }),
    error: z.string().nullable(),
  })
  .meta({ id: 'PullRun' });

const pullStreamStatus = z.object({
  stream: z.string(),
  running: z.boolean(),
  cursor: cursorSchema.nullable(),
  lastRun: pullRunSchema.nullable(),
});

export const connectorStatusAnswer = z.object({
  connector: connectorViewSchema,
  queue: z
    .object({
      pending: z.number().int(),
      due: z.number().int().meta({ description: 'Pending and due now' }),
      retrying: z.number().int().meta({ description: 'Pending after at least one failed attempt' }),
      dead: z.number().int(),
      delivered: z.number().int(),
      oldestPendingAgeSeconds: z.number().nullable(),
    })
    .optional()
    .meta({ description: 'Destinations only: the outbox' }),
  ingest: z
    .object({ events: z.number().int(), lastEventAt: z.string().nullable() })
    .optional()
    .meta({ description: 'Sources only: events received' }),
  pulls: z
    .array(pullStreamStatus)
    .optional()
    .meta({ description: 'Pull sources only: per stream, the saved cursor, whether a run holds it now, and how the last run ended' }),
  recentErrors: z.array(z.object({ at: z.string(), error: z.string() })).meta({ description: 'Newest first, at most 5' }),
});

export type ConnectorStatus = Omit<z.output<typeof connectorStatusAnswer>, 'connector'> & { connector: ConnectorView };

const recentErrorCount = 5;

/**
 * Everything `weft connectors status` shows: the connector (with why it is paused), its outbox
 * (destinations) or intake and pull streams (sources), and its latest errors.
 *
 * @example
 * const { queue, recentErrors } = await connectorStatus(runtime, 'crm-hook');
 */
export async function connectorStatus(runtime: Runtime, connectorId: string): Promise<ConnectorStatus> {
  const connector = await runtime.connectors.view(connectorId);
  if (connector.kind === 'destination') {
    return { connector, queue: await outboxStats(runtime, connectorId), recentErrors: await deliveryErrors(runtime, connectorId) };
  }
  if (connector.kind === 'source') {
    const streams = sourceStreams(runtime, connector);
    const pulls = streams.length > 0 ? await new PullState(runtime.database, connectorId).overview(streams) : undefined;
    return { connector, ingest: await intakeStats(runtime, connectorId), ...(pulls && { pulls }), recentErrors: await failedEvents(runtime, connectorId) };
  }
  return { connector, recentErrors: [] };
}

/** The pull streams of a source whose plugin is loaded (none when it is not: the status still answers). */
function sourceStreams(runtime: Runtime, connector: ConnectorView): string[] {
  try {
    return pullStreams({ component: runtime.registry.component(connector.plugin, connector.component) });
  } catch {
    return [];
  }
}

async function outboxStats(runtime: Runtime, connectorId: string) {
  const [row] = await runtime.database.query<Record<string, string | number | null>>(sql`
    select
      count(*) filter (where status = 'pending') as pending,
      count(*) filter (where status = 'pending' and next_attempt_at <= now()) as due,
      count(*) filter (where status = 'pending' and attempts > 0) as retrying,
      count(*) filter (where status = 'dead') as dead,
      count(*) filter (where status = 'delivered') as delivered,
      extract(epoch from now() - min(created_at) filter (where status = 'pending')) as oldest
    from deliveries where connector_id = ${connectorId}`);
  const count = (value: string | number | null | undefined) => Number(value ?? 0);
  return {
    pending: count(row?.pending),
    due: count(row?.due),
    retrying: count(row?.retrying),
    dead: count(row?.dead),
    delivered: count(row?.delivered),
    oldestPendingAgeSeconds: row?.oldest === null || row?.oldest === undefined ? null : Math.round(Number(row.oldest)),
  };
}

async function intakeStats(runtime: Runtime, connectorId: string) {
  const [row] = await runtime.database.query<{ events: string | number; last: Date | string | null }>(
    sql`select count(*) as events, max(received_at) as last from events where source_id = ${connectorId}`,
  );
  return { events: Number(row?.events ?? 0), lastEventAt: row?.last ? new Date(row.last).toISOString() : null };
}

/** The newest errors in the delivery histories of the connector's most recently failing rows. */
async function deliveryErrors(runtime: Runtime, connectorId: string) {
  const rows = await runtime.database.query<{ at: string; error: string }>(sql`
    select attempt->>'at' as at, attempt->>'error' as error
    from (
      select history from deliveries
      where connector_id = ${connectorId} and last_error is not null
      order by updated_at desc limit ${recentErrorCount * 4}
    ) recent, jsonb_array_elements(recent.history) as attempt
    where attempt->>'error' is not null
    order by attempt->>'at' desc
    limit ${recentErrorCount}`);
  return rows.map((row) => ({ at: row.at, error: row.error }));
}

async function failedEvents(runtime: Runtime, connectorId: string) {
  const rows = await runtime.database.query<{ at: Date | string; error: string }>(sql`
    select coalesce(q.failed_at, e.received_at) as at, q.error from event_queue q join events e on e.id = q.event_id
    where e.source_id = ${connectorId} and q.state = 'failed' and q.error is not null
    order by q.event_id desc limit ${recentErrorCount}`);
  return rows.map((row) => ({ at: new Date(row.at).toISOString(), error: row.error }));
}
