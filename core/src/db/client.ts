import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DriverName = 'postgres' | 'pglite';

/** Runs one statement inside a transaction and returns its rows. */
export type Run = <Row = Record<string, unknown>>(query: SQL) => Promise<Row[]>;

/** An open database: the drizzle handle plus what differs between the two drivers. */
export interface Database {
  db: Db;
  driver: DriverName;
  /** Runs raw SQL and returns its rows, the same shape on both drivers. */
  query<Row = Record<string, unknown>>(query: SQL): Promise<Row[]>;
  /**
   * Runs `work` in one transaction of raw statements: committed when it resolves, rolled back
   * when it throws. On PostgreSQL the statements go out as named prepared statements, as `query`'s do.
   *
   * @example
   * await database.transaction(async (run) => { await run(sql`update profiles set ...`); });
   */
  transaction<T>(work: (run: Run) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…` for a PostgreSQL server; omitted → embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; omitted with no url → in-memory (tests). */
  dataDir?: string | undefined;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** Raw queries as named prepared statements (default); off behind a pooler that cannot keep them. */
  prepare?: boolean;
}

/**
 * A `timestamptz` as PostgreSQL writes it in a raw row (`0001-01-01 00:00:00+00`, `… BC`), as a
 * Date. `new Date()` reads that text with the engine's lenient parser, which takes a year below
 * 100 for 19xx or 20xx; rewritten in ISO 8601 form, every year reads right. Weft's connections
 * run in UTC, so offsets are whole hours.
 *
 * @example
 * pgTimestamp('0001-01-01 00:00:00+00').toISOString() // '0001-01-01T00:00:00.000Z'
 */
export function pgTimestamp(value: Date | string): Date {
  if (value instanceof Date) return value;
  const match = /^(\d{4,})-(\d\d)-(\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(?::?(\d\d))?( BC)?$/.exec(value);
  if (!match) return new Date(value);
  const [, yearDigits, month, day, time, offsetHours, offsetMinutes = '00', bc] = match;
  const year = bc ? 1 - Number(yearDigits) : Number(yearDigits);
  const yearText = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  return new Date(`${yearText}-${month}-${day}T${time}${offsetHours}:${offsetMinutes}`);
}

export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Opens PostgreSQL (postgres.js) when `url` is set, else embedded PGlite.
 *
 * @example
 * const database = await openDatabase({ url: process.env.WEFT_DATABASE_URL, dataDir: './.weft/pgdata' });
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.maxConnections ?? 10, options.prepare ?? true);
  return openPglite(options.dataDir);
}

async function openPostgres(url: string, max: number, prepare: boolean): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { PgDialect } = await import('drizzle-orm/pg-core');
  // UTC sessions: timestamps come back with whole-hour offsets whatever the server's own time zone.
  const client = postgres(url, { max, prepare, onnotice: () => {}, connection: { application_name: 'weft', TimeZone: 'UTC' } });
  // drizzle() also installs its type parsers on the client, which the raw path below shares.
  const db = drizzle(client, { schema }) as unknown as Db;
  const dialect = new PgDialect();
  // A named prepared statement per query text and connection, where drizzle's execute() sends
  // each one unnamed (and, having parameters, asks the server for their types first: a second
  // round trip). The server parses and plans the hot statements (a profile lookup, a claim, the
  // identity stage's) once per connection instead of on every call: a lookup at 1M profiles takes
  // about 0.3 ms instead of 0.7, and the identity stage costs the server about 10 % less CPU
  // (docs/identity.md, "Measured"). A prepared statement may run with a generic plan, which
  // does not fold parameters into constants: cast a parameter where it enters (`$1::jsonb`), never
  // in an expression evaluated per row (`$1::text::jsonb` parses the text again for every row).
  const runOn = (connection: { unsafe: typeof client.unsafe }): Run => async <Row>(query: SQL) => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return [...((await connection.unsafe(text, params as never[], { prepare })) as unknown as Row[])];
  };
  const run = runOn(client);
  return {
    db,
    driver: 'postgres',
    query: run,
    async transaction<T>(work: (run: Run) => Promise<T>) {
      return (await client.begin((tx) => work(runOn(tx)))) as T;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  await client.exec(`set timezone to 'UTC'`);
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    async query<Row>(query: SQL) {
      const result = (await db.execute(query)) as unknown as { rows: Row[] };
      return result.rows;
    },
    async transaction<T>(work: (run: Run) => Promise<T>) {
      return db.transaction(async (tx) =>
        work(async <Row>(query: SQL) => ((await tx.execute(query)) as unknown as { rows: Row[] }).rows),
      );
    },
    async close() {
      await client.close();
    },
  };
}

/** Applies the committed drizzle-kit migrations; several processes starting at once take turns. */
export async function migrateDatabase(database: Database, url?: string): Promise<void> {
  if (database.driver === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, { migrationsFolder });
    return;
  }
  if (!url) throw new Error('migrateDatabase needs the PostgreSQL url');
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  // One dedicated connection holds a session advisory lock for the whole migration.
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(7263514)`;
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client`select pg_advisory_unlock(7263514)`.catch(() => undefined);
    await client.end({ timeout: 5 });
  }
}

export { schema };
