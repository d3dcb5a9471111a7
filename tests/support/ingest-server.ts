// A real Weft server (startServer, HTTP on 127.0.0.1, a port of its own) on a fresh PostgreSQL
// database, with one source connector to send events to: for tests that need a URL, such as
// published client libraries or raw-socket fuzzing.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { loadConfig, startServer, type RunningServer } from '@weft/core';
import { createPostgresDatabase, dropPostgresDatabase } from '../../core/test-support/index.js';

export interface IngestServer {
  baseUrl: string;
  port: number;
  writeKey: string;
  server: RunningServer;
  /** A connection to the server's database, for reading what was stored. */
  sql: postgres.Sql;
  /** How many events the source has stored. */
  storedCount(): Promise<number>;
  stop(): Promise<void>;
}

export interface IngestServerOptions {
  sourceId?: string;
  /** The source component the connector is made of: by default the web SDK's, which every tracking client uses. */
  plugin?: string;
  component?: string;
  config?: Record<string, unknown>;
}

/** Starts `weft start --role api` in this process, with a source connector and its write key. */
export async function startIngestServer(options: IngestServerOptions = {}): Promise<IngestServer> {
  const { sourceId = 'test-source', plugin = 'web-sdk', component = 'source', config: connectorConfig = {} } = options;
  const databaseUrl = await createPostgresDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-ingest-'));
  const config = loadConfig(
    { WEFT_DATA_DIR: dataDir, WEFT_LOG_LEVEL: process.env.WEFT_TEST_LOG_LEVEL ?? 'silent', WEFT_SECRET_KEY: randomBytes(32).toString('hex') },
    { databaseUrl, port: 0, host: '127.0.0.1', role: 'api', adminToken: `test-admin-${randomBytes(12).toString('hex')}` },
  );
  const server = await startServer(config);
  const { writeKey } = await server.runtime.connectors.create({ id: sourceId, plugin, component, config: connectorConfig });
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  return {
    baseUrl: `http://127.0.0.1:${server.port}`,
    port: server.port!,
    writeKey: writeKey!,
    server,
    sql,
    async storedCount() {
      const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from events where source_id = ${sourceId}`;
      return row!.n;
    },
    async stop() {
      await sql.end();
      await server.stop();
      await dropPostgresDatabase(databaseUrl);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
