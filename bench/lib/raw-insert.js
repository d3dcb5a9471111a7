// The ceiling for durable ingest: the same event rows inserted straight into the events table.
import postgres from 'postgres';
import { trackEvent } from './events.js';

/**
 * Inserts batches of `batchSize` event rows for `durationSeconds` over `connections` connections
 * (multi-row INSERT … ON CONFLICT DO NOTHING, as Weft's table needs) and returns rows per second.
 */
export async function rawInsertRate({ url, batchSize = 100, connections = 10, durationSeconds = 10 }) {
  const sql = postgres(url, { max: connections, onnotice: () => {} });
  let next = 10_000_000;
  let rows = 0;
  const deadline = Date.now() + durationSeconds * 1000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const batch = [];
      for (let i = 0; i < batchSize; i++) {
        const event = trackEvent(next++);
        batch.push({ source_id: 'bench-raw', message_id: event.messageId, type: event.type, payload: event, received_at: new Date() });
      }
      await sql`insert into events ${sql(batch, 'source_id', 'message_id', 'type', 'payload', 'received_at')} on conflict do nothing`;
      rows += batchSize;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (Date.now() - started) / 1000;
  await sql.end();
  return rows / seconds;
}

/** The same on an embedded PGlite database (one connection: batches go one after another). */
export async function rawInsertRatePglite({ dataDir, batchSize = 100, durationSeconds = 10 }) {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dataDir);
  await db.exec(`create table if not exists events_raw (id bigserial primary key, source_id text not null, message_id text not null,
    type text not null, payload jsonb not null, received_at timestamptz not null default now(), unique (source_id, message_id))`);
  let next = 0;
  let rows = 0;
  const started = Date.now();
  const deadline = started + durationSeconds * 1000;
  while (Date.now() < deadline) {
    const values = [];
    const params = [];
    for (let i = 0; i < batchSize; i++) {
      const event = trackEvent(next++);
      const p = params.length;
      values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4})`);
      params.push('bench-raw', event.messageId, event.type, JSON.stringify(event));
    }
    await db.query(`insert into events_raw (source_id, message_id, type, payload) values ${values.join(',')} on conflict do nothing`, params);
    rows += batchSize;
  }
  const seconds = (Date.now() - started) / 1000;
  await db.close();
  return rows / seconds;
}
