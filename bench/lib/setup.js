// Prepares a database for a benchmark run: migrated, with a source connector and its write key.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createRuntime, loadConfig } from '@weft/core';

export const adminUrl = process.env.WEFT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A new, empty database on the benchmark PostgreSQL server. */
export async function createDatabase() {
  const name = `weft_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

/**
 * The benchmark server's version and the settings most often tuned for write-heavy work, in one
 * line, so that a figure can be compared with one taken on another server.
 */
export async function serverSettings() {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin.unsafe(
      `select name, current_setting(name) as value from unnest(array['server_version', 'shared_buffers', 'max_wal_size', 'synchronous_commit']) as name`,
    );
    const value = Object.fromEntries(rows.map((row) => [row.name, row.value]));
    return `PostgreSQL ${value.server_version.split(' ')[0]}, shared_buffers ${value.shared_buffers}, max_wal_size ${value.max_wal_size}, synchronous_commit ${value.synchronous_commit}`;
  } finally {
    await admin.end();
  }
}

/**
 * The environment a Weft process of this run uses, and a callback that configures it in-process
 * (connectors, pipelines) before the server starts. Returns the env for the server child.
 */
export async function prepareWeft({ databaseUrl, configure }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  const env = {
    WEFT_DATA_DIR: dataDir,
    WEFT_SECRET_KEY: randomBytes(32).toString('hex'),
    WEFT_ADMIN_TOKEN: `bench-${randomBytes(12).toString('hex')}`,
    WEFT_LOG_LEVEL: 'warn',
    ...(databaseUrl ? { WEFT_DATABASE_URL: databaseUrl } : {}),
  };
  const runtime = await createRuntime(loadConfig(env));
  try {
    const result = await configure(runtime);
    return { env, dataDir, ...result };
  } finally {
    await runtime.close();
  }
}
