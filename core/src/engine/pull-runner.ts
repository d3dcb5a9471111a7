import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { isPluginError, type EventInput, type PullStream } from '@weft/plugin-sdk';
import { createPluginContext } from '../connectors/context.js';
import { operatorLine } from '../connectors/operator-line.js';
import { connectors } from '../db/schema/index.js';
import { WeftError, invalid } from '../errors.js';
import { normalizeEvents } from '../ingest/normalize.js';
import type { IngestWriter } from '../ingest/writer.js';
import type { Runtime } from '../runtime.js';
import { ConnectorCache, type LiveConnector } from './connector-cache.js';
import { PullState, type PullOutcome, type PullRun } from './pull-state.js';

export interface PullRunnerOptions {
  /** How often the schedule looks for streams that are due. Default 5 s. */
  tickMs?: number;
  /** How long a stream's lease lasts without renewal (a crashed runner's streams are free again after it). Default 60 s. */
  leaseMs?: number;
  /** Records committed together when a stream yields that many without a checkpoint. Default 1,000. */
  maxRecordsPerCommit?: number;
}

/**
 * Runs the pull streams of enabled source connectors on their schedule (`settings.pull`) and on
 * demand (`syncConnector`). Each stream reads from its saved cursor; records are committed
 * through the ingest path (deterministic messageIds dedupe re-reads) and a checkpoint is saved
 * only once every record before it is committed, so a crash resumes without loss. A lease per
 * connector and stream keeps any number of runners, in any number of processes, from reading
 * one stream at once.
 *
 * @example
 * const pulls = new PullRunner(runtime, ingest);
 * pulls.start();
 * const runs = await pulls.syncConnector('crm-in'); // one PullRun per stream
 * await pulls.stop(); // between records; the last saved checkpoint stays
 */
export class PullRunner {
  readonly #owner = randomUUID();
  readonly #cache: ConnectorCache;
  /** Runs in this process, by connector and stream. */
  readonly #active = new Map<string, Promise<PullRun>>();
  /** Sources that could not be loaded, reported once until they load again. */
  readonly #unloadable = new Set<string>();
  readonly #stopping = new AbortController();
  readonly #tickMs: number;
  readonly #leaseMs: number;
  readonly #maxRecordsPerCommit: number;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;

  constructor(
    readonly runtime: Runtime,
    readonly ingest: IngestWriter,
    options: PullRunnerOptions = {},
  ) {
    this.#cache = new ConnectorCache(runtime);
    this.#tickMs = options.tickMs ?? 5_000;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#maxRecordsPerCommit = options.maxRecordsPerCommit ?? 1_000;
  }

  /** Starts the schedule. */
  start(): void {
    if (this.#timer || this.#stopping.signal.aborted) return;
    this.#timer = setInterval(() => void this.tick(), this.#tickMs);
    void this.tick();
  }

  /** Stops the schedule and every run in this process after the record in hand; saved checkpoints stay. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopping.abort();
    await this.#ticking;
    await Promise.allSettled([...this.#active.values()]);
  }

  /** Starts every stream that is due; returns once they are started, not finished. */
  tick(): Promise<void> {
    this.#ticking ??= this.#startDueRuns().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  /**
   * Runs every stream of a source connector now, whatever its schedule, and answers how each
   * run ended (`busy` for a stream another runner is reading).
   */
  async syncConnector(connectorId: string): Promise<PullRun[]> {
    const row = await this.runtime.connectors.row(connectorId);
    if (row.kind !== 'source') throw invalid(`Connector '${connectorId}' is a ${row.kind}; only sources have pull streams`);
    if (!row.enabled) throw new WeftError(409, 'disabled', `Source '${connectorId}' is disabled; enable it first`);
    if (row.status !== 'active') throw new WeftError(409, 'paused', `Source '${connectorId}' is paused (${row.statusReason ?? 'no reason given'}); fix it and enable it again`);
    const connector = await this.#cache.get(connectorId);
    const streams = pullStreams(connector);
    if (streams.length === 0) throw invalid(`Connector '${connectorId}' (${row.pluginId}/${row.component}) has no pull streams`);
    return Promise.all(streams.map((stream) => this.#run(connector, stream, { onlyIfDue: false })));
  }

  async #startDueRuns(): Promise<void> {
    if (this.#stopping.signal.aborted) return;
    try {
      const rows = await this.runtime.db
        .select({ id: connectors.id })
        .from(connectors)
        .where(and(eq(connectors.kind, 'source'), eq(connectors.enabled, true), eq(connectors.status, 'active')));
      for (const { id } of rows) {
        let connector: LiveConnector;
        try {
          connector = await this.#cache.get(id);
          this.#unloadable.delete(id);
        } catch (error) {
          if (!this.#unloadable.has(id)) this.runtime.logger.error({ connector: id, err: error }, 'pull: cannot load this source; its streams wait until it is fixed');
          this.#unloadable.add(id);
          continue;
        }
        if (!connector.settings.pull.enabled) continue;
        for (const stream of pullStreams(connector)) {
          if (this.#stopping.signal.aborted) return;
          if (this.#active.has(runKey(id, stream))) continue;
          this.#run(connector, stream, { onlyIfDue: true }).catch((error: unknown) =>
            this.runtime.logger.error({ connector: id, stream, err: error }, 'pull: the run could not start or record its outcome; tried again at the next tick'),
          );
        }
      }
    } catch (error) {
      if (!this.#stopping.signal.aborted) this.runtime.logger.error({ err: error }, 'pull: looking for due streams failed');
    }
  }

  /** One run of one stream, shared by whoever asks while it runs in this process. */
  #run(connector: LiveConnector, stream: string, options: { onlyIfDue: boolean }): Promise<PullRun> {
    const key = runKey(connector.row.id, stream);
    const active = this.#active.get(key);
    if (active) return active;
    const done = this.#leasedRun(connector, stream, options).finally(() => this.#active.delete(key));
    this.#active.set(key, done);
    return done;
  }

  async #leasedRun(connector: LiveConnector, stream: string, { onlyIfDue }: { onlyIfDue: boolean }): Promise<PullRun> {
    const state = new PullState(this.runtime.database, connector.row.id);
    const startedAt = new Date().toISOString();
    if (!(await state.acquire(stream, this.#owner, this.#leaseMs))) {
      return { stream, outcome: 'busy', startedAt, finishedAt: startedAt, records: 0, accepted: 0, duplicates: 0, cursor: (await state.cursor(stream)) ?? null, error: null };
    }
    const renewal = setInterval(() => void this.#renew(state, stream), Math.max(50, Math.floor(this.#leaseMs / 3)));
    try {
      // Read under the lease: another process may have finished a run a moment ago.
      const last = await state.lastRun(stream);
      if (onlyIfDue && last && !isDue(last, connector.settings.pull.intervalSeconds)) return last;
      const run = await this.#read(connector, stream, state, startedAt);
      await state.saveRun(run);
      return run;
    } finally {
      clearInterval(renewal);
      await state.release(stream, this.#owner).catch((error: unknown) => this.runtime.logger.warn({ connector: connector.row.id, stream, err: error }, 'pull: releasing the lease failed; it expires on its own'));
    }
  }

  async #renew(state: PullState, stream: string): Promise<void> {
    try {
      await state.acquire(stream, this.#owner, this.#leaseMs);
    } catch (error) {
      this.runtime.logger.warn({ stream, err: error }, 'pull: renewing a lease failed');
    }
  }

  /** Reads the stream from its saved cursor, committing each page before saving the checkpoint that follows it. */
  async #read(connector: LiveConnector, stream: string, state: PullState, startedAt: string): Promise<PullRun> {
    const id = connector.row.id;
    const signal = AbortSignal.any([this.runtime.shutdown.signal, this.#stopping.signal]);
    const ctx = createPluginContext({ db: this.runtime.db, logger: this.runtime.logger, metrics: this.runtime.metrics, signal }, connector);
    let cursor = await state.cursor(stream);
    const counts = { records: 0, accepted: 0, duplicates: 0 };
    let page: EventInput[] = [];
    const commit = async () => {
      if (page.length === 0) return;
      const events = normalizeEvents(page, { receivedAt: new Date(), pathPrefix: `${stream}.records` });
      const result = await this.ingest.write(id, events);
      counts.accepted += result.accepted;
      counts.duplicates += result.duplicates;
      page = [];
    };
    const finish = (outcome: PullOutcome, error: string | null): PullRun => ({ stream, outcome, startedAt, finishedAt: new Date().toISOString(), ...counts, cursor: cursor ?? null, error });
    const definition = streamDefinition(connector, stream);
    try {
      for await (const message of definition.read({ ...ctx, cursor })) {
        if ('record' in message) {
          counts.records += 1;
          page.push(message.record);
          if (page.length >= this.#maxRecordsPerCommit) await commit();
        } else {
          // The Airbyte rule: a checkpoint is saved only once every record before it is committed.
          await commit();
          if (!(await state.acquire(stream, this.#owner, this.#leaseMs))) return finish('failed', 'lost the lease on this stream to another runner; the last checkpoint stays');
          await state.saveCursor(stream, message.checkpoint);
          cursor = message.checkpoint;
        }
        // Leaving the loop ends the plugin's iterator; records since the last checkpoint are read again next time.
        if (signal.aborted) return finish('stopped', null);
      }
      await commit();
    } catch (error) {
      if (signal.aborted) return finish('stopped', null);
      const reason = operatorLine(error instanceof Error ? error.message : String(error), connector.secretValues);
      if (isPluginError(error) && (error.kind === 'auth' || error.kind === 'config')) {
        await this.runtime.connectors.pause(id, `pull stream '${stream}': ${reason}`);
        this.#cache.forget(id);
        this.runtime.logger.warn({ connector: id, stream, reason }, 'source paused: its pull stream failed with an auth or config error');
        return finish('paused', reason);
      }
      this.runtime.logger.warn({ connector: id, stream, reason, ...counts }, 'pull run failed; retried at the next interval from the last checkpoint');
      return finish('failed', reason);
    }
    this.runtime.logger.info({ connector: id, stream, ...counts }, 'pull run finished');
    return finish('ok', null);
  }
}

/** The stream names of a source connector (none for push-only sources and other kinds). */
export function pullStreams(connector: Pick<LiveConnector, 'component'>): string[] {
  return connector.component.kind === 'source' ? Object.keys(connector.component.streams ?? {}) : [];
}

function streamDefinition(connector: LiveConnector, stream: string): PullStream<Record<string, unknown>> {
  const definition = connector.component.kind === 'source' ? connector.component.streams?.[stream] : undefined;
  if (!definition) throw invalid(`Connector '${connector.row.id}' has no pull stream '${stream}'`);
  return definition;
}

/** A stream that ran before is due when its last run was cut short by a shutdown, or its interval has passed since that run ended. */
function isDue(last: PullRun, intervalSeconds: number): boolean {
  if (last.outcome === 'stopped') return true;
  return Date.now() - new Date(last.finishedAt).getTime() >= intervalSeconds * 1_000;
}

const runKey = (connectorId: string, stream: string) => `${connectorId}\u0000${stream}`;
