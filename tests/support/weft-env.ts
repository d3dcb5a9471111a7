import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, loadConfig, type Runtime } from '@weft/core';
import { createPostgresDatabase, dropPostgresDatabase } from '../../core/test-support/index.js';

/** A fresh PostgreSQL database and the environment every Weft process of one test file shares. */
export async function createWeftEnvironment(extra: Record<string, string> = {}) {
  const databaseUrl = await createPostgresDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-e2e-'));
  const adminToken = `test-admin-${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    WEFT_DATABASE_URL: databaseUrl,
    WEFT_DATA_DIR: dataDir,
    WEFT_SECRET_KEY: randomBytes(32).toString('hex'),
    WEFT_ADMIN_TOKEN: adminToken,
    WEFT_HOST: '127.0.0.1',
    WEFT_LEASE_MS: '2000',
    WEFT_POLL_INTERVAL_MS: '50',
    ...extra,
  };
  return {
    env,
    databaseUrl,
    adminToken,
    /** Configures connectors and pipelines in-process before (or while) the server processes run. */
    async configure<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
      const runtime = await createRuntime(loadConfig(env));
      try {
        return await work(runtime);
      } finally {
        await runtime.close();
      }
    },
    async cleanup() {
      await dropPostgresDatabase(databaseUrl);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Basic auth header for a write key. */
export const writeKeyAuth = (writeKey: string) => ({ authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` });

/** Sends events through `/v1/batch` and fails unless Weft acknowledged them. */
export async function sendBatch(baseUrl: string, writeKey: string, events: Array<Record<string, unknown>>): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...writeKeyAuth(writeKey) },
    body: JSON.stringify({ batch: events }),
  });
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
}

/** `n` track events with messageIds `<prefix>-0` … `<prefix>-(n-1)`. */
export function trackEvents(prefix: string, n: number, offset = 0) {
  return Array.from({ length: n }, (_, i) => ({ type: 'track', event: 'Order Completed', userId: `u-${(offset + i) % 97}`, messageId: `${prefix}-${offset + i}`, properties: { i: offset + i } }));
}
