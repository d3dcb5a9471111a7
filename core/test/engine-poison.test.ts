import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { ConnectorCache } from '../src/engine/connector-cache.js';
import { createEngineRuntime, eventStates, trackEvent } from './engine-support.js';

describe('pipeline worker: events the database refuses, batches that cannot commit', () => {
  let test: Awaited<ReturnType<typeof createEngineRuntime>>;
  let worker: PipelineWorker;

  beforeAll(async () => {
    test = await createEngineRuntime();
    await test.runtime.connectors.create({ id: 'src', plugin: 'engine-test', component: 'source' });
    worker = new PipelineWorker(test.runtime, new ConnectorCache(test.runtime, 0));
  });
  afterAll(async () => test.cleanup());

  beforeEach(async () => {
    for (const table of ['event_queue', 'events', 'profile_events', 'identities', 'identity_ledger', 'profiles']) {
      await test.runtime.database.query(sql.raw(`delete from ${table}`));
    }
  });

  /** An event as an older version's ingest may have stored it, past today's validation. */
  async function storeUnchecked(event: Record<string, unknown>): Promise<void> {
    await test.runtime.database.query(sql`
      with stored as (
        insert into events (source_id, message_id, type, payload) values ('src', ${String(event.messageId)}, ${String(event.type)}, ${JSON.stringify(event)}::jsonb) returning id
      )
      insert into event_queue (event_id) select id from stored`);
  }

  it('fails only the event whose time the database cannot store, and resolves the rest of its batch', async () => {
    await test.ingest.write('src', [trackEvent('Good 1', { userId: 'good-1' })]);
    await storeUnchecked({ ...trackEvent('Poison', { userId: 'bad-1' }), timestamp: '+020000-01-01T00:00:00.000Z' });
    await test.ingest.write('src', [trackEvent('Good 2', { userId: 'good-2' })]);

    expect(await worker.processBatch()).toBe(3);

    const states = await eventStates(test);
    expect(states.map((event) => event.state)).toEqual(['done', 'failed', 'done']);
    expect(states[1]!.error).toMatch(/^the database refused a value of the event: .*020000/);
    expect((await test.runtime.identity.profiles.lookup('user_id:good-1')).identities).toHaveLength(1);
    expect((await test.runtime.identity.profiles.lookup('user_id:good-2')).identities).toHaveLength(1);
    await expect(test.runtime.identity.profiles.lookup('user_id:bad-1')).rejects.toMatchObject({ status: 404 });
  });

  it('gives a batch that cannot commit back with the reason, claimable again after a second rather than a lease', async () => {
    await test.ingest.write('src', [trackEvent('Kept', { userId: 'kept-1' })]);
    // Not the event's fault: the database cannot take the batch at all.
    await test.runtime.database.query(sql`alter table profile_events rename to profile_events_away`);
    try {
      await expect(worker.processBatch()).rejects.toThrow(/profile_events/);
    } finally {
      await test.runtime.database.query(sql`alter table profile_events_away rename to profile_events`);
    }
    const [queued] = await test.runtime.database.query<{ state: string; attempts: number; error: string; wait_s: number }>(sql`
      select state, attempts, error, extract(epoch from lease_until - now())::float as wait_s from event_queue`);
    expect(queued).toMatchObject({ state: 'pending', attempts: 1, error: expect.stringMatching(/^routing did not finish: .*profile_events/) });
    // postponeDelayMs(1): one second, where the lease (WEFT_LEASE_MS) would have kept it for its whole length.
    expect(queued!.wait_s).toBeLessThanOrEqual(1);
  });
});
