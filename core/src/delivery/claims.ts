import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { DeliveryAttempt } from '../db/schema/index.js';
import type { Claim } from '../engine/lease-keeper.js';

export interface ClaimedDelivery extends Claim {
  action: string;
  idempotencyKey: string;
  messageId: string;
  payload: unknown;
}

/**
 * Claims up to `limit` due deliveries of one connector, oldest due first, and counts the attempt.
 * The claim pushes `next_attempt_at` forward by the lease: if this process dies, the rows fall
 * due again and another worker takes them. Rows other workers are claiming are skipped. The rows
 * are picked as an array, probed through the primary key: see `claimPendingEvents` for why.
 *
 * @example
 * const claimed = await claimDueDeliveries(database, 'crm-hook', 200, 60_000);
 */
export async function claimDueDeliveries(database: Database, connectorId: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const rows = await database.query<{ id: string | number; action: string; idempotency_key: string; message_id: string; payload: unknown; attempts: number }>(sql`
    update deliveries set next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}), attempts = attempts + 1, updated_at = now()
    where id = any(array(
      select id from deliveries
      where connector_id = ${connectorId} and status = 'pending' and next_attempt_at <= now()
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked
    ))
    returning id, action, idempotency_key, message_id, payload, attempts`);
  return rows
    .map((row) => ({
      id: Number(row.id),
      action: row.action,
      idempotencyKey: row.idempotency_key,
      messageId: row.message_id,
      payload: row.payload,
      attempts: row.attempts,
    }))
    .sort((a, b) => a.id - b.id);
}

/** How long until the connector's next pending delivery falls due (undefined when none is pending; ≤ 0 when one is due). */
export async function nextDueInMs(database: Database, connectorId: string): Promise<number | undefined> {
  const [row] = await database.query<{ ms: string | number | null }>(sql`
    select extract(epoch from min(next_attempt_at) - now()) * 1000 as ms
    from deliveries where connector_id = ${connectorId} and status = 'pending'`);
  return row?.ms === null || row?.ms === undefined ? undefined : Number(row.ms);
}

/** Extends the leases of deliveries this worker still holds (its claims only: a newer claim wins). */
export async function renewDeliveryLeases(database: Database, claims: Claim[], leaseMs: number): Promise<void> {
  await database.query(sql`
    update deliveries d set next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
    from jsonb_to_recordset(${JSON.stringify(claims)}::jsonb) as c(id bigint, attempts int)
    where d.id = c.id and d.attempts = c.attempts and d.status = 'pending'`);
}

/** What happens to one claimed delivery after a call (or instead of one). */
export interface DeliveryUpdate extends Claim {
  status: 'pending' | 'delivered' | 'dead';
  /** For `pending`: due again this long from now (database time); 0 = at once. */
  retryInMs?: number;
  /** Replaces `last_error` when set; a delivered row's error is cleared. */
  lastError?: string;
  /** −1 gives back the attempt the claim took (nothing was really tried). */
  attemptsDelta: number;
  /** Appended to `history`, stamped with the database time (and, for a retry, `nextAttemptAt`). */
  entry?: Omit<DeliveryAttempt, 'at' | 'nextAttemptAt'>;
}

/**
 * Applies the outcomes of a call in one statement. Only the claim that still holds a row may
 * change it (same attempt number, still pending), so a worker whose lease ran out never
 * overwrites what another worker did since. Returns how many rows it changed.
 */
export async function recordOutcomes(database: Database, updates: DeliveryUpdate[]): Promise<number> {
  if (updates.length === 0) return 0;
  const records = updates.map((update) => ({
    id: update.id,
    attempts: update.attempts,
    status: update.status,
    retry_ms: update.retryInMs ?? null,
    last_error: update.lastError ?? null,
    attempts_delta: update.attemptsDelta,
    entry: update.entry ?? null,
  }));
  const changed = await database.query<{ id: string | number }>(sql`
    with u as (
      select *, now() + make_interval(secs => coalesce(retry_ms, 0) / 1000.0) as due
      from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
        as r(id bigint, attempts int, status text, retry_ms bigint, last_error text, attempts_delta int, entry jsonb)
    )
    update deliveries d set
      status = u.status,
      next_attempt_at = case when u.status = 'pending' then u.due else d.next_attempt_at end,
      last_error = case when u.status = 'delivered' then null else coalesce(u.last_error, d.last_error) end,
      attempts = d.attempts + u.attempts_delta,
      history = case when u.entry is null then d.history else d.history || jsonb_build_array(
        u.entry || jsonb_build_object('at', ${isoText(sql`now()`)})
          || case when u.entry->>'outcome' = 'retry' then jsonb_build_object('nextAttemptAt', ${isoText(sql`u.due`)}) else '{}'::jsonb end
      ) end,
      delivered_at = case when u.status = 'delivered' then now() else d.delivered_at end,
      updated_at = now()
    from u
    where d.id = u.id and d.attempts = u.attempts and d.status = 'pending'
    returning d.id`);
  return changed.length;
}

/** A timestamptz as JavaScript writes it (`2026-01-31T12:00:00.000Z`). */
function isoText(time: ReturnType<typeof sql>) {
  return sql`to_char(${time} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
