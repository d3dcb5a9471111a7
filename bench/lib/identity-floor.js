// The write floor of the identity stage: how fast this server takes the rows a run wrote, with no
// resolution logic and no client encoding at all. After a run, each table the identity stage
// writes gets an empty twin with the same indexes, and the run's rows are copied into the twins
// server-side (INSERT … SELECT), one chunk per batch the worker ran, in the worker's two
// transactions (the claim of the events' queue rows, then everything else, which ends with deleting
// those rows), with as many chunks in flight as it had
// batches. The figure is an upper bound for the identity stage on this machine: it writes these
// rows and more (profile updates, merges, locks), and its parameters cross the socket.
import postgres from 'postgres';

/** Tables the identity stage inserts into, each with the key its rows are chunked by. */
const inserted = [
  ['profiles', 'id'],
  ['identities', 'id'],
  ['identity_links', 'id'],
  ['identity_ledger', 'id'],
  ['profile_events', 'event_id'],
];

/**
 * Copies the run's rows into twins in `chunks` chunks, `concurrency` at once, and drops the twins.
 *
 * @returns the wall time of the copying, the rows copied per table, and the statements' wall time per table.
 */
export async function measureWriteFloor(url, { chunks, concurrency }) {
  const sql = postgres(url, { max: concurrency, onnotice: () => {} });
  try {
    const bounds = new Map();
    const rows = {};
    for (const [table, key] of [...inserted, ['events', 'id']]) {
      if (table === 'events') {
        // The events themselves are only read; their queue rows are what the stage writes.
        bounds.set(table, (await sql.unsafe(`select max(id)::text as last from (select id, ntile(${chunks}) over (order by id) as chunk from events) s group by chunk order by chunk`)).map((row) => row.last));
        [{ n: rows.event_queue }] = await sql.unsafe(`select count(*)::int as n from events`);
        continue;
      }
      await sql.unsafe(`drop table if exists floor_${table}`);
      await sql.unsafe(`create table floor_${table} (like ${table} including all)`);
      // The last key of each chunk (ntile keeps the chunks equal in rows, whatever the key type).
      const ends = await sql.unsafe(`select max(${key})::text as last from (select ${key}, ntile(${chunks}) over (order by ${key}) as chunk from ${table}) s group by chunk order by chunk`);
      bounds.set(table, ends.map((row) => row.last));
      [{ n: rows[table] }] = await sql.unsafe(`select count(*)::int as n from ${table}`);
    }
    // Every event queued, as ingest leaves it (untimed): the floor then claims them and deletes them as done.
    await sql.unsafe(`drop table if exists floor_event_queue`);
    await sql.unsafe(`create table floor_event_queue (like event_queue including all) with (fillfactor = 50)`);
    await sql.unsafe(`insert into floor_event_queue (event_id) select id from events`);
    await sql.unsafe(`vacuum analyze floor_event_queue`);
    const range = (table, key, chunk) => {
      const ends = bounds.get(table);
      const last = ends[chunk];
      if (last === undefined) return null;
      const first = chunk === 0 ? null : ends[chunk - 1];
      return { where: `${key} <= $1${first === null ? '' : ` and ${key} > $2`}`, params: first === null ? [last] : [last, first] };
    };
    // Wall time of each table's statements, summed over the chunks: where the floor's time goes.
    const spent = {};
    const timed = async (table, statement) => {
      const at = performance.now();
      await statement;
      spent[table] = (spent[table] ?? 0) + performance.now() - at;
    };
    let next = 0;
    const started = performance.now();
    const loop = async () => {
      for (let chunk = next++; chunk < chunks; chunk = next++) {
        const claim = range('events', 'id', chunk);
        const queued = claim && { where: claim.where.replaceAll('id', 'event_id'), params: claim.params };
        if (queued) await timed('event queue (claim)', sql.unsafe(`update floor_event_queue set lease_until = now() + interval '60 seconds', attempts = attempts + 1 where ${queued.where}`, queued.params));
        await sql.begin(async (tx) => {
          await tx.unsafe(`set local synchronous_commit = off`);
          for (const [table, key] of inserted) {
            const part = range(table, key, chunk);
            if (part) await timed(table, tx.unsafe(`insert into floor_${table} select * from ${table} where ${part.where}`, part.params));
          }
          if (queued) await timed('event queue (done)', tx.unsafe(`delete from floor_event_queue where ${queued.where}`, queued.params));
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    const ms = performance.now() - started;
    return { ms, rows, spent };
  } finally {
    for (const [table] of [...inserted, ['event_queue']]) await sql.unsafe(`drop table if exists floor_${table}`).catch(() => undefined);
    await sql.end();
  }
}
