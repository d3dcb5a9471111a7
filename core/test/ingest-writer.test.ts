import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeftEvent } from '@weft/plugin-sdk';
import { IngestWriter } from '../src/ingest/writer.js';
import { createTestRuntime, type TestRuntime } from '../test-support/index.js';
import { sql } from 'drizzle-orm';

const receivedAt = '2024-06-01T12:00:00.000Z';
const event = (messageId: string, extra: Partial<WeftEvent> = {}): WeftEvent => ({
  type: 'track',
  event: 'Written',
  userId: 'u1',
  messageId,
  timestamp: receivedAt,
  receivedAt,
  ...extra,
});

describe('IngestWriter', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await createTestRuntime({}, { skipWorkspacePlugins: true });
  });
  afterAll(async () => t.cleanup());

  const count = async (prefix: string) =>
    (await t.runtime.database.query<{ n: number }>(sql`select count(*)::int as n from events where message_id like ${prefix + '%'}`))[0]!.n;

  it('stores the events and reports them accepted', async () => {
    const writer = new IngestWriter(t.runtime);
    expect(await writer.write('src', [event('w-a-1'), event('w-a-2')])).toEqual({ accepted: 2, duplicates: 0 });
    const rows = await t.runtime.database.query<{ type: string; state: string; received_at: Date | string }>(
      sql`select type, q.state, received_at from events e join event_queue q on q.event_id = e.id where message_id = 'w-a-1'`,
    );
    expect(rows[0]).toMatchObject({ type: 'track', state: 'pending' });
    expect(new Date(rows[0]!.received_at).toISOString()).toBe(receivedAt);
  });

  it('counts a messageId seen before, or twice in one call, as a duplicate', async () => {
    const writer = new IngestWriter(t.runtime);
    await writer.write('src', [event('w-d-1')]);
    expect(await writer.write('src', [event('w-d-1'), event('w-d-2'), event('w-d-2')])).toEqual({ accepted: 1, duplicates: 2 });
    // The same messageId from another source is another event.
    expect(await writer.write('other-src', [event('w-d-1')])).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('gives a messageId sent by two concurrent calls to exactly one of them', async () => {
    const writer = new IngestWriter(t.runtime);
    const results = await Promise.all([writer.write('src', [event('w-race')]), writer.write('src', [event('w-race')])]);
    expect(results.map((result) => result.accepted).sort()).toEqual([0, 1]);
    expect(await count('w-race')).toBe(1);
  });

  it('combines concurrent writes into fewer commits, each resolving after its rows are stored', async () => {
    const writer = new IngestWriter(t.runtime);
    const writes = Array.from({ length: 50 }, (_, i) =>
      writer.write('src', [event(`w-group-${i}-`)]).then(async (result) => ({ result, storedWhenResolved: await count(`w-group-${i}-`) })),
    );
    const outcomes = await Promise.all(writes);
    expect(outcomes.every(({ result, storedWhenResolved }) => result.accepted === 1 && storedWhenResolved === 1)).toBe(true);
    expect(writer.commits).toBeGreaterThan(0);
    expect(writer.commits).toBeLessThan(50);
  });

  it('fails only the write PostgreSQL refuses, not the others committed with it', async () => {
    const writer = new IngestWriter(t.runtime);
    const [good, bad, alsoGood] = await Promise.allSettled([
      writer.write('src', [event('w-iso-1')]),
      writer.write('src', [event('w-iso-2', { receivedAt: 'not a time' })]),
      writer.write('src', [event('w-iso-3')]),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { accepted: 1 } });
    expect(alsoGood).toMatchObject({ status: 'fulfilled', value: { accepted: 1 } });
    expect(bad).toMatchObject({ status: 'rejected', reason: { status: 503, code: 'storage_unavailable' } });
    expect(await count('w-iso-2')).toBe(0);
  });

  it('stores strings PostgreSQL jsonb refuses by dropping NULs and replacing unpaired surrogates', async () => {
    const writer = new IngestWriter(t.runtime);
    const tricky = event('w-nul\u0000id', { properties: { name: 'a\u0000b', lone: 'x\uD800y', pair: '😀', escaped: '\\u0000 stays' } });
    expect(await writer.write('src', [tricky])).toEqual({ accepted: 1, duplicates: 0 });
    const rows = await t.runtime.database.query<{ message_id: string; payload: { properties: Record<string, string> } }>(
      sql`select message_id, payload from events where message_id like 'w-nul%'`,
    );
    expect(rows[0]!.message_id).toBe('w-nulid');
    expect(rows[0]!.payload.properties).toEqual({ name: 'ab', lone: 'x\uFFFDy', pair: '😀', escaped: '\\u0000 stays' });
  });

  it('announces committed events to the pipeline and records commit metrics', async () => {
    const writer = new IngestWriter(t.runtime);
    let announced = 0;
    const stop = t.runtime.signals.onEvents(() => announced++);
    await writer.write('src', [event('w-signal-1')]);
    stop();
    expect(announced).toBe(1);
    const metrics = await t.runtime.metrics.registry.getSingleMetricAsString('weft_ingest_events_total');
    expect(metrics).toMatch(/source="src",outcome="accepted"\} [1-9]/);
    expect(metrics).toMatch(/source="src",outcome="duplicate"\} [1-9]/);
  });

  it('commits pending writes on close, then refuses new ones with a 503', async () => {
    const writer = new IngestWriter(t.runtime);
    const pending = writer.write('src', [event('w-close-1')]);
    await writer.close();
    expect(await pending).toEqual({ accepted: 1, duplicates: 0 });
    await expect(writer.write('src', [event('w-close-2')])).rejects.toMatchObject({ status: 503, code: 'shutting_down' });
    expect(await count('w-close-')).toBe(1);
  });
});
