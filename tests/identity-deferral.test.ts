// Two batches in flight (WEFT_PIPELINE_CONCURRENCY) must not wait for each other's commit: events
// whose identifiers another transaction holds go back to pending, and the rest of the batch goes on.
// PostgreSQL only: embedded PGlite runs one transaction at a time, so nothing is ever held elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { PipelineWorker } from '../core/src/engine/pipeline-worker.js';
import { lockKey } from '../core/src/identity/store.js';
import { identifierKey } from '../core/src/identity/types.js';
import { waitUntil } from '../core/test/engine-support.js';
import { createIdentityRuntime, sendTo, type IdentityTestRuntime } from '../core/test/identity-support.js';

interface EventRow {
  message_id: string;
  state: string;
  /** Null once the event is done (it has left the queue). */
  attempts: number | null;
}

/**
 * Holds the identity-stage lock of `user_id:<value>` in a transaction of another connection until
 * `release()`, as another batch in flight would.
 */
async function holdUserId(url: string, value: string): Promise<{ release(): Promise<void> }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const transaction = sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${lockKey(identifierKey('user_id', '', value))}::bigint)`;
    held();
    await released;
  });
  await holding;
  return {
    async release() {
      release();
      await transaction;
      await sql.end();
    },
  };
}

describe('identity stage with another transaction holding identifiers (PostgreSQL)', () => {
  let test: IdentityTestRuntime;
  let worker: PipelineWorker;
  let sql: postgres.Sql;
  beforeAll(async () => {
    test = await createIdentityRuntime();
    worker = new PipelineWorker(test.runtime);
    sql = postgres(test.url!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await test?.cleanup();
  });

  const events = () =>
    sql<EventRow[]>`select e.message_id, coalesce(q.state, 'done') as state, q.attempts from events e left join event_queue q on q.event_id = e.id order by e.id`.then((rows) => [...rows]);

  it('puts back the events whose identifiers are held, uncounted, and resolves the rest at once', async () => {
    await test.reset();
    const other = await holdUserId(test.url!, 'held-1');
    try {
      await sendTo(test.ingest, 'src', [
        { type: 'identify', messageId: 'held', userId: 'held-1', traits: { email: 'held@example.com' } },
        { type: 'identify', messageId: 'free', userId: 'free-1', traits: { email: 'free@example.com' } },
      ]);
      expect(await worker.processBatch()).toBe(2);
      expect(await events()).toEqual([
        { message_id: 'held', state: 'pending', attempts: 0 },
        { message_id: 'free', state: 'done', attempts: null },
      ]);
      expect(await test.partition()).toEqual([['email:free@example.com', 'user_id:free-1']]);
    } finally {
      await other.release();
    }
    expect(await worker.processBatch()).toBe(1);
    expect((await events()).map((row) => row.state)).toEqual(['done', 'done']);
    expect(await test.partition()).toEqual([['email:free@example.com', 'user_id:free-1'], ['email:held@example.com', 'user_id:held-1']]);
  });

  it('waits for the locks when every event of the batch needs a held identifier', async () => {
    await test.reset();
    const other = await holdUserId(test.url!, 'held-2');
    let batch: Promise<number> | undefined;
    try {
      await sendTo(test.ingest, 'src', [{ type: 'identify', messageId: 'only', userId: 'held-2' }]);
      batch = worker.processBatch();
      // The worker's connection is waiting for the advisory lock, not giving the event back.
      await waitUntil('the batch to wait for the held lock', async () => {
        const [row] = await sql<Array<{ n: number }>>`
          select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.locktype = 'advisory' and not l.granted and a.datname = current_database()`;
        return row!.n > 0;
      });
      expect(await events()).toEqual([{ message_id: 'only', state: 'pending', attempts: 1 }]);
    } finally {
      await other.release();
    }
    expect(await batch).toBe(1);
    expect(await events()).toEqual([{ message_id: 'only', state: 'done', attempts: null }]);
    expect(await test.partition()).toEqual([['user_id:held-2']]);
  });
});
