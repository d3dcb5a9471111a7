import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { migrateDatabase, migrationsFolder, openDatabase, type Database } from '../src/db/client.js';
import { createPostgresDatabase, dropPostgresDatabase, testDriver } from '../test-support/index.js';

/** A copy of the committed migrations up to and including `lastTag`: a database as an older version left it. */
function migrationsUpTo(lastTag: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'weft-migrations-'));
  cpSync(migrationsFolder, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
  const last = journal.entries.findIndex((entry) => entry.tag === lastTag);
  if (last < 0) throw new Error(`no migration ${lastTag}`);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return folder;
}

async function migrateTo(database: Database, url: string | undefined, folder: string): Promise<void> {
  if (database.driver === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, { migrationsFolder: folder });
    return;
  }
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const client = postgres(url!, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(client), { migrationsFolder: folder });
  } finally {
    await client.end();
  }
}

describe(`migrations, applied one after another as upgrades would (${testDriver()})`, () => {
  let database: Database;
  let url: string | undefined;
  const folders: string[] = [];

  beforeAll(async () => {
    url = testDriver() === 'postgres' ? await createPostgresDatabase() : undefined;
    database = await openDatabase({ url });
  });
  afterAll(async () => {
    await database?.close();
    if (url) await dropPostgresDatabase(url);
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  /** Brings the database to `tag`, as an older version of Weft would have left it. */
  const migrateUpTo = async (tag: string) => {
    const folder = migrationsUpTo(tag);
    folders.push(folder);
    await migrateTo(database, url, folder);
  };

  it('moves the events not yet routed into the pipeline queue when the log becomes append-only (0006)', async () => {
    await migrateUpTo('0005_fillfactor');
    await database.query(sql`
      insert into events (source_id, message_id, type, payload, state, attempts, lease_until, error, processed_at) values
        ('web', 'routed', 'track', '{}', 'done', 1, null, null, now()),
        ('web', 'waiting', 'track', '{}', 'pending', 2, now() + interval '1 minute', 'routing did not finish: connector out-a cannot be loaded', null),
        ('web', 'given-up', 'track', '{}', 'failed', 6, null, 'gave up after 5 attempts', '2026-11-30T10:00:00Z')`);

    await migrateUpTo('0006_event_queue');

    const queued = await database.query<{ message_id: string; state: string; attempts: number; leased: boolean; error: string | null; failed_at: Date | string | null }>(sql`
      select e.message_id, q.state, q.attempts, q.lease_until is not null as leased, q.error, q.failed_at
      from event_queue q join events e on e.id = q.event_id order by e.id`);
    expect(queued.map(({ failed_at, ...row }) => ({ ...row, failedAt: failed_at === null ? null : new Date(failed_at).toISOString() }))).toEqual([
      { message_id: 'waiting', state: 'pending', attempts: 2, leased: true, error: 'routing did not finish: connector out-a cannot be loaded', failedAt: null },
      { message_id: 'given-up', state: 'failed', attempts: 6, leased: false, error: 'gave up after 5 attempts', failedAt: '2026-11-30T10:00:00.000Z' },
    ]);
    const columns = await database.query<{ column_name: string }>(sql`
      select column_name from information_schema.columns where table_name = 'events' order by ordinal_position`);
    expect(columns.map((row) => row.column_name)).toEqual(['id', 'source_id', 'message_id', 'type', 'payload', 'received_at']);
  });

  it('draws link ids from the identities sequence, past every id used before, once identities carry their links (0007)', async () => {
    await database.query(sql`
      insert into identities (id, type, value, profile_id, origin_profile_id) values (1, 'user_id', 'u1', 'p1', 'p1'), (2, 'email', 'a@example.com', 'p1', 'p1')`);
    await database.query(sql`select setval('identities_id_seq', 2)`);
    await database.query(sql`
      insert into identity_links (id, from_identity_id, to_identity_id, rule) values (7, 1, 2, 'event')`);

    await migrateUpTo('0007_attach_links');

    const [identity] = await database.query<{ id: string | number }>(sql`
      insert into identities (type, value, profile_id, origin_profile_id) values ('phone', '+8613800138000', 'p1', 'p1') returning id`);
    const [link] = await database.query<{ id: string | number }>(sql`
      insert into identity_links (from_identity_id, to_identity_id, rule) values (1, ${identity!.id}, 'manual') returning id`);
    expect(Number(identity!.id)).toBe(8);
    expect(Number(link!.id)).toBe(9);
  });

  it('moves open reviews of profiles merged away into their live profiles, one review per pair, a rejected one first, and closes pending ones now within one profile (0008)', async () => {
    // p1 was merged into p2, and p2 into p3; p5 into p4.
    await database.query(sql`
      insert into profiles (id, merged_into) values ('p3', null), ('p2', 'p3'), ('p1', 'p2'), ('p4', null), ('p5', 'p4'), ('p6', null)`);
    await database.query(sql`
      insert into identity_reviews (id, resolver, profile_a, profile_b, probability, weight, fields, status) values
        (1, 'fs', 'p1', 'p4', 0.5, 1, '[]', 'pending'),
        (2, 'fs', 'p2', 'p5', 0.5, 1, '[]', 'rejected'),
        (3, 'fs', 'p1', 'p3', 0.5, 1, '[]', 'pending'),
        (4, 'fs', 'p5', 'p6', 0.5, 1, '[]', 'accepted'),
        (5, 'other', 'p5', 'p6', 0.5, 1, '[]', 'pending')`);

    await migrateDatabase(database, url);

    const rows = await database.query<{ id: string | number; resolver: string; profile_a: string; profile_b: string; status: string }>(sql`
      select id, resolver, profile_a, profile_b, status from identity_reviews order by id`);
    expect(rows.map((row) => ({ ...row, id: Number(row.id) }))).toEqual([
      { id: 2, resolver: 'fs', profile_a: 'p3', profile_b: 'p4', status: 'rejected' },
      { id: 3, resolver: 'fs', profile_a: 'p1', profile_b: 'p3', status: 'accepted' },
      { id: 4, resolver: 'fs', profile_a: 'p5', profile_b: 'p6', status: 'accepted' },
      { id: 5, resolver: 'other', profile_a: 'p4', profile_b: 'p6', status: 'pending' },
    ]);
  });
});
