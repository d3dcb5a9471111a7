import { sql } from 'drizzle-orm';
import type { WeftEvent } from '@weft/plugin-sdk';
import type { Database, Run } from '../db/client.js';
import type { Claim } from './lease-keeper.js';
import type { OutboxRow, StoredEvent } from './router.js';
import { textArray } from '../identity/store.js';

export interface ClaimedEvent extends StoredEvent, Claim {
  /** Why the previous attempt to route it did not finish, if it did not. */
  lastError: string | null;
}

/**
 * Leases up to `limit` pending events, oldest first, and counts the attempt. Rows another worker
 * holds are skipped (`SKIP LOCKED`); a lease that has run out makes an event claimable again.
 *
 * @example
 * const claimed = await claimPendingEvents(database, 500, 60_000);
 */
export async function claimPendingEvents(database: Database, limit: number, leaseMs: number): Promise<ClaimedEvent[]> {
  // The lease is taken on the narrow queue row; the event itself is only read. The rows to lease
  // are picked as an array (`= any(array(…))`, not `in (…)`): as a prepared statement this runs
  // with a generic plan, which guesses a tenth of the table for `limit $1` and, given a set to
  // join, chose a hash join over a scan of the whole queue and of the events; an array is probed
  // through the index whatever the guess.
  const rows = await database.query<{ id: string | number; source_id: string; payload: WeftEvent; attempts: number; error: string | null }>(sql`
    with claimed as (
      update event_queue set lease_until = now() + make_interval(secs => ${leaseMs / 1000}), attempts = attempts + 1
      where event_id = any(array(
        select event_id from event_queue
        where state = 'pending' and (lease_until is null or lease_until < now())
        order by event_id
        limit ${limit}
        for update skip locked
      ))
      returning event_id, attempts, error
    )
    select e.id, e.source_id, e.payload, c.attempts, c.error from claimed c join events e on e.id = c.event_id`);
  return rows
    .map((row) => ({ id: Number(row.id), sourceId: row.source_id, payload: row.payload, attempts: row.attempts, lastError: row.error }))
    .sort((a, b) => a.id - b.id);
}

/** Extends the leases of events this worker still holds (its claims only: a newer claim wins). */
export async function renewEventLeases(database: Database, claims: Claim[], leaseMs: number): Promise<void> {
  await database.query(sql`
    update event_queue q set lease_until = now() + make_interval(secs => ${leaseMs / 1000})
    from jsonb_to_recordset(${JSON.stringify(claims)}::jsonb) as c(id bigint, attempts int)
    where q.event_id = c.id and q.attempts = c.attempts and q.state = 'pending'`);
}

/**
 * Gives claimed events back before their lease runs out (their batch could not commit), with the
 * reason as their last error, each claimable again after its `retryInMs`.
 */
export async function releaseEventClaims(database: Database, claims: Array<Claim & { retryInMs: number }>, error: string): Promise<void> {
  await database.query(sql`
    update event_queue q set error = ${error}, lease_until = now() + make_interval(secs => c.retry_ms / 1000.0)
    from jsonb_to_recordset(${JSON.stringify(claims.map((claim) => ({ id: claim.id, attempts: claim.attempts, retry_ms: claim.retryInMs })))}::jsonb)
      as c(id bigint, attempts int, retry_ms bigint)
    where q.event_id = c.id and q.attempts = c.attempts and q.state = 'pending'`);
}

/** What routing decided for one claimed event. */
export interface EventOutcome extends Claim {
  /** `pending`: routing could not finish (a connector could not be loaded); try again in `retryInMs`. */
  state: 'done' | 'failed' | 'pending';
  error: string | null;
  retryInMs?: number;
  /** With `pending`: this claim does not count as an attempt (the event was put back unrouted, not failed). */
  uncounted?: boolean;
}

/**
 * Writes the events' new state and their outbox rows in one transaction: after a crash either
 * nothing of it happened (the lease runs out, the events are routed again) or all of it did.
 * Only claims that still hold their event commit: a worker whose lease ran out and whose event
 * another worker already took writes nothing. Outbox inserts skip idempotency keys that exist
 * (unless dead), so routing an event twice never delivers it twice.
 *
 * @returns the destination connectors that got new pending deliveries.
 */
export async function commitRouting(database: Database, outcomes: EventOutcome[], rows: OutboxRow[]): Promise<string[]> {
  if (outcomes.length === 0) return [];
  return database.transaction((run) => commitRoutingIn(run, outcomes, rows));
}

/**
 * Locks the events whose claims this worker still holds (a newer claim, or an event already
 * done, is left out), so the rest of the transaction works only on those.
 */
export async function lockHeldClaims(run: Run, claims: Claim[]): Promise<Set<number>> {
  if (claims.length === 0) return new Set();
  const attempts = new Map(claims.map((claim) => [claim.id, claim.attempts]));
  const rows = await run<{ event_id: string | number; attempts: number }>(sql`
    select event_id, attempts from event_queue where event_id = any(${textArray(attempts.keys())}::bigint[]) and state = 'pending' order by event_id for update`);
  return new Set(rows.filter((row) => attempts.get(Number(row.event_id)) === row.attempts).map((row) => Number(row.event_id)));
}

/** `commitRouting` inside the caller's transaction. */
export async function commitRoutingIn(run: Run, outcomes: EventOutcome[], rows: OutboxRow[]): Promise<string[]> {
  if (outcomes.length === 0) return [];
  const records = outcomes.map((outcome) => ({ ...outcome, retry_ms: outcome.retryInMs ?? 0, uncounted: outcome.uncounted ?? false }));
  // A routed event leaves the queue; a failed one stays there as failed; a postponed one waits out its delay.
  const held = await run<{ id: string | number }>(sql`
    with o as (
      select * from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as o(id bigint, attempts int, state text, error text, retry_ms bigint, uncounted boolean)
    ), routed as (
      delete from event_queue q using o
      where o.state = 'done' and q.event_id = o.id and q.attempts = o.attempts and q.state = 'pending'
      returning q.event_id
    ), kept as (
      update event_queue q set
        state = o.state,
        error = o.error,
        attempts = case when o.uncounted then q.attempts - 1 else q.attempts end,
        failed_at = case when o.state = 'failed' then now() end,
        lease_until = case when o.state = 'pending' then now() + make_interval(secs => o.retry_ms / 1000.0) end
      from o
      where o.state <> 'done' and q.event_id = o.id and q.attempts = o.attempts and q.state = 'pending'
      returning q.event_id
    )
    select event_id as id from routed union all select event_id from kept`);
  const committed = new Set(held.map((row) => Number(row.id)));
  const fresh = uniqueByKey(rows.filter((row) => committed.has(row.eventId)));
  if (fresh.length === 0) return [];
  // An existing row is left alone (a redelivery would duplicate), except a dead letter: routing
  // its event again (an operator's replay, after fixing a mapping) writes it anew.
  const inserted = await run<{ connector_id: string; status: string }>(sql`
    insert into deliveries (connector_id, action, idempotency_key, event_id, message_id, payload, batch_key, status, last_error, history)
    select r.connector_id, r.action, r.idempotency_key, r.event_id, r.message_id, coalesce(r.payload, 'null'::jsonb), r.batch_key, r.status, r.last_error, r.history
    from jsonb_to_recordset(${JSON.stringify(fresh.map(toRecord))}::jsonb) as r(
      connector_id text, action text, idempotency_key text, event_id bigint, message_id text,
      payload jsonb, batch_key text, status text, last_error text, history jsonb)
    on conflict (idempotency_key) do update set
      event_id = excluded.event_id, payload = excluded.payload, batch_key = excluded.batch_key, status = excluded.status,
      last_error = excluded.last_error, attempts = 0, next_attempt_at = now(), updated_at = now(),
      history = deliveries.history
        || jsonb_build_array(jsonb_build_object('at', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'outcome', 'replayed'))
        || excluded.history
    where deliveries.status = 'dead'
    returning connector_id, status`);
  return [...new Set(inserted.filter((row) => row.status === 'pending').map((row) => row.connector_id))];
}

/** One row per idempotency key (two pipelines may route an event to the same action): the first wins. */
function uniqueByKey(rows: OutboxRow[]): OutboxRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.idempotencyKey) && seen.add(row.idempotencyKey));
}


function toRecord(row: OutboxRow) {
  return {
    connector_id: row.connectorId,
    action: row.action,
    idempotency_key: row.idempotencyKey,
    event_id: row.eventId,
    message_id: row.messageId,
    payload: row.payload,
    batch_key: row.batchKey,
    status: row.status,
    last_error: row.lastError,
    history: row.history,
  };
}
