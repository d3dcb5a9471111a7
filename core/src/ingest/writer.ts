import { sql } from 'drizzle-orm';
import type { WeftEvent } from '@weft/plugin-sdk';
import { WeftError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { storableJsonText, storableString } from './json.js';

/** Result of committing events for one source. */
export interface WriteResult {
  /** Events newly stored. */
  accepted: number;
  /** Events whose `messageId` this source had already sent (stored before, or earlier in the same call). */
  duplicates: number;
}

export interface IngestWriterOptions {
  /** Insert statements running at once; PGlite has one connection, so it always gets 1. Default 4. */
  maxConcurrentFlushes?: number;
  /** Most events in one statement; a single write is never split, so one may exceed it. Default 5,000. */
  maxEventsPerFlush?: number;
}

interface PendingWrite {
  sourceId: string;
  events: WeftEvent[];
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

/**
 * Durable ingest with group commit: concurrent `write` calls are combined into one
 * `INSERT … ON CONFLICT DO NOTHING` statement (its own transaction), and each call resolves only
 * once its events are committed. While the flushes allowed at once are running, new writes
 * queue up and go together in the next one, so the cost of a commit is shared under load.
 *
 * @example
 * const ingest = new IngestWriter(runtime);
 * const { accepted, duplicates } = await ingest.write('web', events);
 * await ingest.close(); // on shutdown: drains, then refuses new writes
 */
export class IngestWriter {
  readonly #queue: PendingWrite[] = [];
  readonly #flushing = new Set<Promise<void>>();
  readonly #maxConcurrentFlushes: number;
  readonly #maxEventsPerFlush: number;
  #flushScheduled = false;
  #closed = false;
  #commits = 0;

  constructor(
    readonly runtime: Runtime,
    options: IngestWriterOptions = {},
  ) {
    this.#maxConcurrentFlushes = runtime.database.driver === 'pglite' ? 1 : (options.maxConcurrentFlushes ?? 4);
    this.#maxEventsPerFlush = options.maxEventsPerFlush ?? 5_000;
  }

  /** Insert statements committed so far: fewer than the writes when group commit is combining them. */
  get commits(): number {
    return this.#commits;
  }

  /**
   * Stores the events of one source; resolves once they are committed. All or nothing: a
   * failure rejects with a 503 WeftError and none of this call's events are stored.
   */
  write(sourceId: string, events: WeftEvent[]): Promise<WriteResult> {
    if (this.#closed) return Promise.reject(new WeftError(503, 'shutting_down', 'Weft is shutting down and no longer accepts events; retry shortly'));
    if (events.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    return new Promise<WriteResult>((resolve, reject) => {
      this.#queue.push({ sourceId, events, resolve, reject });
      this.#scheduleFlush();
    });
  }

  /** Commits every pending write, then refuses new ones (503). */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#queue.length > 0 || this.#flushing.size > 0) {
      this.#startFlushes();
      await Promise.allSettled([...this.#flushing]);
    }
  }

  // Waiting for the end of this turn of the event loop lets writes that arrive together share a flush.
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#startFlushes();
    });
  }

  #startFlushes(): void {
    while (this.#queue.length > 0 && this.#flushing.size < this.#maxConcurrentFlushes) {
      const flush = this.#flush(this.#takeGroup()).finally(() => {
        this.#flushing.delete(flush);
        this.#startFlushes();
      });
      this.#flushing.add(flush);
    }
  }

  #takeGroup(): PendingWrite[] {
    const group = [this.#queue.shift()!];
    let events = group[0]!.events.length;
    while (this.#queue.length > 0 && events + this.#queue[0]!.events.length <= this.#maxEventsPerFlush) {
      const next = this.#queue.shift()!;
      events += next.events.length;
      group.push(next);
    }
    return group;
  }

  async #flush(group: PendingWrite[]): Promise<void> {
    const started = performance.now();
    let results: WriteResult[];
    try {
      results = await this.#insert(group);
    } catch (error) {
      // One caller's bad row must not fail the others: retry each write on its own.
      if (group.length > 1) {
        for (const write of group) await this.#flush([write]);
        return;
      }
      this.runtime.logger.error({ err: error, source: group[0]!.sourceId, events: group[0]!.events.length }, 'ingest write failed');
      group[0]!.reject(new WeftError(503, 'storage_unavailable', 'The events could not be stored, and none were; retry the request'));
      return;
    }
    this.#commits++;
    this.runtime.metrics.ingestCommitSeconds.observe((performance.now() - started) / 1000);
    let accepted = 0;
    group.forEach((write, index) => {
      const result = results[index]!;
      accepted += result.accepted;
      if (result.accepted > 0) this.runtime.metrics.ingestEvents.inc({ source: write.sourceId, outcome: 'accepted' }, result.accepted);
      if (result.duplicates > 0) this.runtime.metrics.ingestEvents.inc({ source: write.sourceId, outcome: 'duplicate' }, result.duplicates);
      write.resolve(result);
    });
    if (accepted > 0) this.runtime.signals.eventsCommitted();
  }

  /** One statement for the whole group; returns each write's counts, in order. */
  async #insert(group: PendingWrite[]): Promise<WriteResult[]> {
    const results = group.map(() => ({ accepted: 0, duplicates: 0 }));
    // Duplicates within the group are settled here, so each row sent has exactly one owner.
    const seen = new Set<string>();
    const rows: WeftEvent[] = [];
    const sources: string[] = [];
    const owners: number[] = [];
    group.forEach((write, index) => {
      for (const event of write.events) {
        // Repaired as the JSON text will be, so two ids PostgreSQL would see as one count as one here.
        const key = rowKey(write.sourceId, storableString(event.messageId));
        if (seen.has(key)) {
          results[index]!.duplicates++;
          continue;
        }
        seen.add(key);
        rows.push(event);
        sources.push(write.sourceId);
        owners.push(index);
        results[index]!.accepted++;
      }
    });
    // Two JSON parameters whatever the number of rows: the statement text never changes (prepared
    // once per connection), PostgreSQL parses JSON faster than a long VALUES list, and the columns
    // are read from the payload itself. Only the positions of rows already stored come back. Each
    // new event is queued for the pipeline in the same statement. The two arrays are unnested side
    // by side (ROWS FROM), so each parameter is parsed once: the prepared statement's generic plan
    // does not fold parameters into constants, and an expression of one per row would parse it per row.
    const [answer] = await this.runtime.database.query<{ duplicates: number[] | null }>(sql`
      with input as (
        select row.source_id, row.event ->> 'messageId' as message_id, row.event, row.n
        from rows from (
          jsonb_array_elements((${storableJsonText(JSON.stringify(rows))})::text::jsonb),
          jsonb_array_elements_text((${JSON.stringify(sources)})::text::jsonb)
        ) with ordinality as row(event, source_id, n)
      ), inserted as (
        insert into events (source_id, message_id, type, payload, received_at)
        select source_id, message_id, event ->> 'type', event, (event ->> 'receivedAt')::timestamptz from input
        on conflict (source_id, message_id) do nothing
        returning id, source_id, message_id
      ), queued as (
        insert into event_queue (event_id) select id from inserted
      )
      select array_agg(input.n::int) as duplicates from input
      where not exists (select 1 from inserted where inserted.source_id = input.source_id and inserted.message_id = input.message_id)`);
    for (const position of answer?.duplicates ?? []) {
      const result = results[owners[position - 1]!]!;
      result.accepted--;
      result.duplicates++;
    }
    return results;
  }
}

// Connector ids never contain a NUL, so the pair cannot collide.
const rowKey = (sourceId: string, messageId: string) => `${sourceId}\u0000${messageId}`;
