// A batch whose identifier locks do not fit in the server's lock table (`out of shared memory`) is
// committed in halves instead of failing over and over. Embedded PGlite is used on purpose: its
// lock table is its own (about 19,000 locks), so filling it cannot starve other tests' transactions,
// as it would on the shared PostgreSQL server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/src/config.js';
import { eventQueue, events as eventsTable, identities, profiles } from '../core/src/db/schema/index.js';
import { PipelineWorker } from '../core/src/engine/pipeline-worker.js';
import { normalizeEvents } from '../core/src/ingest/normalize.js';
import { IngestWriter } from '../core/src/ingest/writer.js';
import { createRuntime, type Runtime } from '../core/src/runtime.js';
import { createTestDatabase, type TestDatabase } from '../core/test-support/index.js';

/** Events in one batch, each with three identifiers of its own: about 30,000 advisory locks. */
const events = 10_000;

describe('identity stage when the lock table is too small for a batch (PGlite)', () => {
  let database: TestDatabase;
  let runtime: Runtime;
  let dataDir: string;
  const warnings: string[] = [];
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    dataDir = mkdtempSync(join(tmpdir(), 'weft-locks-'));
    const config = loadConfig({ WEFT_DATA_DIR: dataDir, WEFT_LOG_LEVEL: 'warn' }, { engine: { pipelineBatchSize: events, pipelineConcurrency: 1, leaseMs: 60_000, pollIntervalMs: 50 } });
    runtime = await createRuntime(config, { database: database.database });
    // Record what the worker warns about (and keep the log quiet).
    runtime.logger.warn = ((_: unknown, message?: string) => void warnings.push(message ?? '')) as typeof runtime.logger.warn;
    await runtime.connectors.create({ id: 'web', plugin: 'web-sdk', component: 'source' });
  });
  afterAll(async () => {
    runtime?.shutdown.abort();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('resolves every event of the batch, committing it in halves, and says why', async () => {
    const ingest = new IngestWriter(runtime);
    const batch = Array.from({ length: events }, (_, n) => ({ type: 'identify', messageId: `m-${n}`, userId: `u${n}`, anonymousId: `a${n}`, traits: { email: `p${n}@example.com` } }));
    await ingest.write('web', normalizeEvents(batch, { receivedAt: new Date() }));
    await ingest.close();

    expect(await new PipelineWorker(runtime).processBatch()).toBe(events);
    // Done: every event stored, and none left in the queue.
    expect(await runtime.db.$count(eventsTable)).toBe(events);
    expect(await runtime.db.$count(eventQueue)).toBe(0);
    expect(await runtime.db.$count(profiles)).toBe(events);
    expect(await runtime.db.$count(identities)).toBe(3 * events);
    expect((await runtime.identity.profiles.lookup('email:p9999@example.com')).identities.map((identity) => `${identity.type}:${identity.value}`).sort()).toEqual([
      'anonymous_id:a9999',
      'email:p9999@example.com',
      'user_id:u9999',
    ]);
    expect(warnings.filter((message) => message.startsWith('pipeline worker: the database ran out of lock slots')).length).toBeGreaterThanOrEqual(1);
  });
});
