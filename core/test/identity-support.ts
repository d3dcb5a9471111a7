// Shared set-up of the identity tests: a runtime whose source feeds no pipeline (events are still
// resolved into profiles), helpers to ingest events and read the graph back.
import { sql } from 'drizzle-orm';
import type { EventInput } from '@weft/plugin-sdk';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { normalizeEvents } from '../src/ingest/normalize.js';
import type { Runtime } from '../src/runtime.js';
import { createEngineRuntime, type EngineTestRuntime } from './engine-support.js';

let counter = 0;

export interface IdentityTestRuntime extends EngineTestRuntime {
  /** Ingests the events into source `src` and runs the pipeline until none is pending. */
  send(...events: EventInput[]): Promise<void>;
  /** Every live profile as the sorted identifiers it holds, sorted: compare graphs without ids. */
  partition(): Promise<string[][]>;
  /** The profile id holding an identifier (`type:value` or `type:scope:value`). */
  profileOf(identifier: string): Promise<string>;
  reset(): Promise<void>;
}

export async function createIdentityRuntime(): Promise<IdentityTestRuntime> {
  const test = await createEngineRuntime();
  await test.runtime.connectors.create({ id: 'src', plugin: 'engine-test', component: 'source' });
  await test.runtime.connectors.create({ id: 'crm', plugin: 'engine-test', component: 'source' });
  const worker = new PipelineWorker(test.runtime);
  return {
    ...test,
    async send(...events) {
      await sendTo(test.ingest, 'src', events);
      while ((await worker.processBatch()) > 0);
    },
    partition: () => graphPartition(test.runtime),
    async profileOf(identifier) {
      return (await test.runtime.identity.profiles.lookup(identifier)).id;
    },
    async reset() {
      for (const table of ['deliveries', 'event_queue', 'events', 'profiles', 'identities', 'identity_links', 'identity_ledger', 'profile_events', 'identifier_types', 'identity_settings']) {
        await test.runtime.database.query(sql.raw(`delete from ${table}`));
      }
    },
  };
}

/** Writes events (filling messageId and timestamps) into a source, through the real ingest writer. */
export async function sendTo(ingest: EngineTestRuntime['ingest'], sourceId: string, events: EventInput[]): Promise<void> {
  const filled = events.map((event) => ({ messageId: `id-${process.pid}-${++counter}`, ...event }));
  await ingest.write(sourceId, normalizeEvents(filled, { receivedAt: new Date() }));
}

export async function graphPartition(runtime: Runtime): Promise<string[][]> {
  const rows = await runtime.database.query<{ profile_id: string; type: string; scope: string; value: string }>(sql`
    select i.profile_id, i.type, i.scope, i.value from identities i join profiles p on p.id = i.profile_id where p.merged_into is null`);
  const byProfile = new Map<string, string[]>();
  for (const row of rows) byProfile.set(row.profile_id, [...(byProfile.get(row.profile_id) ?? []), `${row.type}:${row.scope ? `${row.scope}:` : ''}${row.value}`]);
  return [...byProfile.values()].map((ids) => ids.sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** An ISO time `minutes` after a fixed start, to order events by when they happened. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2026, 0, 1, 9, minutes)).toISOString();
}
