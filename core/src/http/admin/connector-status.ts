import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ConnectorView } from '../../connectors/service.js';
import type { Runtime } from '../../runtime.js';
import { connectorViewSchema } from './schemas.js';

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
  recentErrors: z.array(z.object({ at: z.string(), error: z.string() })).meta({ description: 'Newest first, at most 5' }),
});

export type ConnectorStatus = Omit<z.output<typeof connectorStatusAnswer>, 'connector'> & { connector: ConnectorView };

const recentErrorCount = 5;

/**
 * Everything `weft connectors status` shows: the connector (with why it is paused), its outbox
 * (destinations) or intake (sources), and its latest errors.
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
    return { connector, ingest: await intakeStats(runtime, connectorId), recentErrors: await failedEvents(runtime, connectorId) };
  }
  return { connector, recentErrors: [] };
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
    select coalesce(processed_at, received_at) as at, error from events
    where source_id = ${connectorId} and state = 'failed' and error is not null
    order by id desc limit ${recentErrorCount}`);
  return rows.map((row) => ({ at: new Date(row.at).toISOString(), error: row.error }));
}
