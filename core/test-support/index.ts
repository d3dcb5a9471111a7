import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, migrateDatabase, type Database } from '../src/db/client.js';
import { loadConfig, type WeftConfig } from '../src/config.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../src/runtime.js';

export type TestDriver = 'postgres' | 'pglite';

/** Which driver this test run uses: `WEFT_TEST_DRIVER` (the vitest project sets it), default postgres. */
export function testDriver(): TestDriver {
  return process.env.WEFT_TEST_DRIVER === 'pglite' ? 'pglite' : 'postgres';
}

/** The server tests create their databases on. */
export const adminDatabaseUrl = process.env.WEFT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  database: Database;
  /** The PostgreSQL url of this test's own database (undefined on PGlite). */
  url: string | undefined;
  /** Closes and, on PostgreSQL, drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own: a new database on the PostgreSQL server, or in-memory PGlite. */
export async function createTestDatabase(driver: TestDriver = testDriver()): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const database = await openDatabase({});
    await migrateDatabase(database);
    return { database, url: undefined, drop: () => database.close() };
  }
  const url = await createPostgresDatabase();
  const database = await openDatabase({ url, maxConnections: 8 });
  await migrateDatabase(database, url);
  return {
    database,
    url,
    async drop() {
      await database.close();
      await dropPostgresDatabase(url);
    },
  };
}

/** Creates an empty database on the test server and returns its url. */
export async function createPostgresDatabase(): Promise<string> {
  const { default: postgres } = await import('postgres');
  const name = `weft_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

export interface TestRuntime {
  runtime: Runtime;
  url: string | undefined;
  dataDir: string;
  cleanup(): Promise<void>;
}

/**
 * A runtime on its own fresh database, with workspace plugins loaded, a temporary data dir and
 * engine settings tuned for tests (short leases and polls).
 */
export async function createTestRuntime(overrides: Partial<WeftConfig> = {}, options: RuntimeOptions = {}): Promise<TestRuntime> {
  const testDb = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-test-'));
  const config = loadConfig(
    { WEFT_DATA_DIR: dataDir, WEFT_LOG_LEVEL: process.env.WEFT_TEST_LOG_LEVEL ?? 'silent' },
    { databaseUrl: testDb.url, engine: { pipelineBatchSize: 200, pipelineConcurrency: 2, leaseMs: 5_000, pollIntervalMs: 50 }, ...overrides },
  );
  const runtime = await createRuntime(config, { database: testDb.database, ...options });
  return {
    runtime,
    url: testDb.url,
    dataDir,
    async cleanup() {
      runtime.shutdown.abort();
      await testDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
