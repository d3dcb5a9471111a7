import type { Runtime } from '../runtime.js';
import { ConnectorCache } from './connector-cache.js';
import { EventRouter, describeError, type OutboxRow } from './router.js';
import { claimPendingEvents, commitRouting, renewEventLeases, type ClaimedEvent, type EventOutcome } from './claims.js';
import { Idler } from './idler.js';
import { LeaseKeeper } from './lease-keeper.js';

/**
 * Claims of one event before it is marked failed: routing that keeps failing to finish (a
 * connector that cannot be loaded, a worker that dies on the event) must not hold it forever.
 */
export const maxEventAttempts = 5;

/**
 * Claims committed events in batches, routes them through their pipelines and writes the outbox.
 * Any number of workers (in any number of processes) can run against one database.
 *
 * @example
 * const worker = new PipelineWorker(runtime);
 * worker.start();
 * await worker.stop(); // finishes the batch in hand
 */
export class PipelineWorker {
  readonly #router: EventRouter;
  readonly #idler = new Idler();
  #running = false;
  #loop: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    readonly runtime: Runtime,
    cache: ConnectorCache = new ConnectorCache(runtime),
  ) {
    this.#router = new EventRouter(runtime, cache);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.runtime.signals.onEvents(() => this.#idler.wake());
    this.#loop = this.#run();
  }

  /** Stops claiming and waits for the batch in hand to commit. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    this.#idler.wake();
    await this.#loop;
  }

  /**
   * Claims and routes one batch: transforms run first, then the outbox rows and the events'
   * new states are committed together. Returns how many events it claimed.
   */
  async processBatch(): Promise<number> {
    const { pipelineBatchSize, leaseMs } = this.runtime.config.engine;
    const claimed = await claimPendingEvents(this.runtime.database, pipelineBatchSize, leaseMs);
    if (claimed.length === 0) return 0;
    const leases = new LeaseKeeper(leaseMs, (claims) => renewEventLeases(this.runtime.database, claims, leaseMs), (error) =>
      this.runtime.logger.warn({ err: error }, 'pipeline worker: renewing event leases failed'),
    );
    leases.hold(claimed);
    try {
      const rows: OutboxRow[] = [];
      const outcomes: EventOutcome[] = [];
      for (const event of claimed) {
        const routed = await this.#route(event);
        outcomes.push(routed.outcome);
        rows.push(...routed.rows);
      }
      const queuedFor = await commitRouting(this.runtime.database, outcomes, rows);
      for (const connectorId of queuedFor) this.runtime.signals.deliveriesQueued(connectorId);
      return claimed.length;
    } finally {
      leases.stop();
    }
  }

  async #route(event: ClaimedEvent): Promise<{ outcome: EventOutcome; rows: OutboxRow[] }> {
    const claim = { id: event.id, attempts: event.attempts };
    const count = (outcome: string) => this.runtime.metrics.pipelineEvents.inc({ outcome });
    if (event.attempts > maxEventAttempts) {
      count('failed');
      const error = `gave up after ${maxEventAttempts} attempts to route it${event.lastError ? `; last error: ${event.lastError}` : ''}`;
      return { outcome: { ...claim, state: 'failed', error }, rows: [] };
    }
    try {
      const routed = await this.#router.route(event);
      count(routed.outcome);
      if (routed.outcome === 'failed') return { outcome: { ...claim, state: 'failed', error: routed.error }, rows: [] };
      return { outcome: { ...claim, state: 'done', error: null }, rows: routed.rows };
    } catch (error) {
      // Not the event's fault (a connector that cannot be loaded, the database): try it again
      // later, and let the rest of the batch go on meanwhile.
      count('postponed');
      const reason = `routing did not finish: ${describeError(error)}`;
      this.runtime.logger.warn({ event: event.id, source: event.sourceId, reason }, 'pipeline worker: event postponed');
      return { outcome: { ...claim, state: 'pending', error: reason, retryInMs: postponeDelayMs(event.attempts) }, rows: [] };
    }
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      try {
        const handled = await this.processBatch();
        failures = 0;
        if (handled < this.runtime.config.engine.pipelineBatchSize) await this.#idler.idle(this.runtime.config.engine.pollIntervalMs);
      } catch (error) {
        if (!this.#running) break;
        failures++;
        this.runtime.logger.error({ err: error }, 'pipeline worker: batch failed; its events are claimed again once their lease runs out');
        await this.#idler.idle(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)));
      }
    }
  }
}

/** 1 s, 4 s, 16 s, 64 s, 256 s: about six minutes from the first failure to the event being marked failed. */
function postponeDelayMs(attempt: number): number {
  return 1_000 * 4 ** Math.max(0, attempt - 1);
}
