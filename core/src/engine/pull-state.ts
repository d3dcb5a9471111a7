import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Cursor } from '@weft/plugin-sdk';
import { connectorKeyValueStore } from '../connectors/kv-store.js';
import type { Database } from '../db/client.js';
import { connectorKv } from '../db/schema/index.js';

/** How one run of a stream ended: `busy` when another runner held the stream, `stopped` on shutdown. */
export type PullOutcome = 'ok' | 'failed' | 'paused' | 'stopped' | 'busy';

/** What an operator reads about the last run of a stream (`pull-status:<stream>` in `connector_kv`). */
export interface PullRun {
  stream: string;
  outcome: PullOutcome;
  startedAt: string;
  finishedAt: string;
  /** Records the stream yielded. */
  records: number;
  /** Of those, committed as new events; the rest were duplicates of stored messageIds. */
  accepted: number;
  duplicates: number;
  /** The cursor saved when the run ended (where the next run starts). */
  cursor: Cursor | null;
  error: string | null;
}

const cursorKey = (stream: string) => `cursor:${stream}`;
const statusKey = (stream: string) => `pull-status:${stream}`;
const leaseKey = (stream: string) => `pull-lease:${stream}`;

/**
 * The host's pull-source state of one connector, kept in `connector_kv` beside the plugin's own
 * keys: the saved cursor per stream, the last run's outcome, and the lease that lets one runner
 * (in any process) read a stream at a time.
 *
 * @example
 * const state = new PullState(runtime.database, 'crm-in');
 * if (await state.acquire('contacts', owner, 60_000)) await state.saveCursor('contacts', { value: '2026-01-01T00:00:00Z', id: 'c-9' });
 */
export class PullState {
  readonly #store;

  constructor(
    private readonly database: Database,
    private readonly connectorId: string,
  ) {
    this.#store = connectorKeyValueStore(database.db, connectorId);
  }

  cursor(stream: string): Promise<Cursor | undefined> {
    return this.#store.get<Cursor>(cursorKey(stream));
  }

  saveCursor(stream: string, cursor: Cursor): Promise<void> {
    return this.#store.set(cursorKey(stream), cursor);
  }

  lastRun(stream: string): Promise<PullRun | undefined> {
    return this.#store.get<PullRun>(statusKey(stream));
  }

  saveRun(run: PullRun): Promise<void> {
    return this.#store.set(statusKey(run.stream), run);
  }

  /**
   * Takes (or renews) the lease on a stream for `owner`; false while another owner holds an
   * unexpired one. One statement, so two runners racing for it cannot both win — a lease row
   * rather than an advisory lock because PGlite's single session would grant a lock twice.
   */
  async acquire(stream: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = await this.database.query(sql`
      insert into connector_kv (connector_id, key, value, expires_at)
      values (${this.connectorId}, ${leaseKey(stream)}, ${JSON.stringify({ owner })}::jsonb, now() + ${leaseMs} * interval '1 millisecond')
      on conflict (connector_id, key) do update set value = excluded.value, expires_at = excluded.expires_at
      where connector_kv.expires_at <= now() or connector_kv.value->>'owner' = ${owner}
      returning key`);
    return rows.length > 0;
  }

  async release(stream: string, owner: string): Promise<void> {
    await this.database.query(sql`delete from connector_kv where connector_id = ${this.connectorId} and key = ${leaseKey(stream)} and value->>'owner' = ${owner}`);
  }

  /** Every stream's saved cursor, last run and whether a runner holds it now: what `GET /connectors/:id/status` shows. */
  async overview(streams: string[]): Promise<Array<{ stream: string; running: boolean; cursor: Cursor | null; lastRun: PullRun | null }>> {
    const rows = await this.database.db
      .select({ key: connectorKv.key, value: connectorKv.value, expiresAt: connectorKv.expiresAt })
      .from(connectorKv)
      .where(and(eq(connectorKv.connectorId, this.connectorId), inArray(connectorKv.key, streams.flatMap((stream) => [cursorKey(stream), statusKey(stream), leaseKey(stream)]))));
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const now = Date.now();
    return streams.map((stream) => {
      const lease = byKey.get(leaseKey(stream));
      return {
        stream,
        running: !!lease?.expiresAt && lease.expiresAt.getTime() > now,
        cursor: (byKey.get(cursorKey(stream))?.value as Cursor | undefined) ?? null,
        lastRun: (byKey.get(statusKey(stream))?.value as PullRun | undefined) ?? null,
      };
    });
  }
}
