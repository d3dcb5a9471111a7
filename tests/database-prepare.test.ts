import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../core/src/db/client.js';
import { loadConfig } from '../core/src/config.js';
import { createPostgresDatabase, dropPostgresDatabase } from '../core/test-support/index.js';

describe('WEFT_DATABASE_PREPARE', () => {
  it('defaults to prepared statements, takes false, and names itself when it is neither', () => {
    expect(loadConfig({}).databasePrepare).toBe(true);
    expect(loadConfig({ WEFT_DATABASE_PREPARE: 'false' }).databasePrepare).toBe(false);
    expect(() => loadConfig({ WEFT_DATABASE_PREPARE: 'no' })).toThrow(/WEFT_DATABASE_PREPARE: must be true or false/);
  });
});

// Prepared statements are a PostgreSQL server matter (this folder runs on the server only; PGlite
// has one in-process session and no pooler in between).
describe('raw queries on PostgreSQL', () => {
  let url: string;
  let prepared: Database;
  let unprepared: Database;

  beforeAll(async () => {
    url = await createPostgresDatabase();
    // One connection each, so the session asked about its statements is the one that ran the query.
    prepared = await openDatabase({ url, maxConnections: 1 });
    unprepared = await openDatabase({ url, maxConnections: 1, prepare: false });
  });

  afterAll(async () => {
    await prepared?.close();
    await unprepared?.close();
    if (url) await dropPostgresDatabase(url);
  });

  const probe = (value: string) => sql`select ${value}::text as value, now() as at, '{"a":[1,null]}'::jsonb as doc, 7::int as n, 'weft-prepare-probe' as tag`;
  const statements = (database: Database) =>
    database.query<{ statement: string }>(sql`select statement from pg_prepared_statements where statement like '%weft-prepare-probe%' and statement not like '%pg_prepared_statements%'`);

  it('are prepared once per connection and reused with new parameters', async () => {
    expect(await prepared.query(probe('a'))).toMatchObject([{ value: 'a', n: 7, doc: { a: [1, null] } }]);
    expect(await prepared.query(probe('b'))).toMatchObject([{ value: 'b' }]);
    expect(await statements(prepared)).toHaveLength(1);
  });

  it('with prepare off, leave no statement behind', async () => {
    expect(await unprepared.query(probe('c'))).toMatchObject([{ value: 'c' }]);
    expect(await statements(unprepared)).toHaveLength(0);
  });

  it('answer rows of the same shape as drizzle’s execute (its type parsers apply to both)', async () => {
    const [raw] = await prepared.query<Record<string, unknown>>(probe('d'));
    const [viaDrizzle] = [...((await prepared.db.execute(probe('d'))) as unknown as Array<Record<string, unknown>>)];
    expect(Object.keys(raw!)).toEqual(Object.keys(viaDrizzle!));
    for (const key of Object.keys(raw!)) expect(typeof raw![key]).toBe(typeof viaDrizzle![key]);
    expect(raw!.doc).toEqual(viaDrizzle!.doc);
  });
});
