import { and, eq } from 'drizzle-orm';
import { connectors } from '../db/schema/index.js';
import type { Runtime } from '../runtime.js';
import { ConnectorCache } from '../engine/connector-cache.js';
import { DeliveryLoop } from './loop.js';
import { refreshQueueMetrics } from './queue-stats.js';

/** How often the manager looks for destination connectors that appeared, changed, paused or resumed. */
const refreshIntervalMs = 1_000;
const metricsIntervalMs = 5_000;

/**
 * Runs one delivery loop per enabled, active destination connector and keeps that set in step
 * with the database (connectors added, changed, disabled, paused or re-enabled, here or by
 * another process). Several managers, in any number of processes, can share one database:
 * claims are exclusive.
 *
 * @example
 * const deliveries = new DeliveryManager(runtime);
 * deliveries.start();
 * await deliveries.stop(); // lets calls in flight finish
 */
export class DeliveryManager {
  readonly #loops = new Map<string, { loop: DeliveryLoop; version: number }>();
  /** Loops being replaced or dropped: they finish their calls in the background. */
  readonly #stopping = new Set<Promise<void>>();
  /** Connector versions that could not be loaded (say, invalid config): reported once, tried again when they change. */
  readonly #unloadable = new Map<string, number>();
  readonly #cache: ConnectorCache;
  #timer: NodeJS.Timeout | undefined;
  #metricsTimer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #stopped = true;

  constructor(readonly runtime: Runtime) {
    this.#cache = new ConnectorCache(runtime, 0);
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), refreshIntervalMs);
    this.#metricsTimer = setInterval(() => void this.#refreshMetrics(), metricsIntervalMs);
  }

  /** Starts, restarts or stops loops to match the database; safe to call at any time. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  /** Stops every loop: no new claims, calls in flight finish, claimed rows not yet sent are given back. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearInterval(this.#metricsTimer);
    await this.#refreshing;
    for (const id of [...this.#loops.keys()]) this.#drop(id);
    await Promise.all([...this.#stopping]);
  }

  async #refresh(): Promise<void> {
    if (this.#stopped) return;
    try {
      const rows = await this.runtime.db
        .select({ id: connectors.id, updatedAt: connectors.updatedAt, statusChangedAt: connectors.statusChangedAt })
        .from(connectors)
        .where(and(eq(connectors.kind, 'destination'), eq(connectors.enabled, true), eq(connectors.status, 'active')));
      // A loop runs one version of its connector: an edit or a pause-and-resume starts a new one.
      const wanted = new Map(rows.map((row) => [row.id, Math.max(row.updatedAt.getTime(), row.statusChangedAt?.getTime() ?? 0)]));
      for (const [id, { loop, version }] of this.#loops) {
        if (wanted.get(id) !== version || loop.paused) this.#drop(id);
      }
      for (const [id, version] of wanted) {
        if (this.#loops.has(id) || this.#unloadable.get(id) === version || this.#stopped) continue;
        try {
          this.#cache.forget(id);
          const loop = new DeliveryLoop(this.runtime, this.#cache, await this.#cache.get(id));
          this.#loops.set(id, { loop, version });
          loop.start();
        } catch (error) {
          this.#unloadable.set(id, version);
          this.runtime.logger.error({ connector: id, err: error }, 'cannot start deliveries for this connector until it changes');
        }
      }
    } catch (error) {
      if (!this.#stopped) this.runtime.logger.error({ err: error }, 'delivery manager refresh failed');
    }
  }

  /** Stops a loop without waiting for it here: a destination hanging in a call must not hold up the others. */
  #drop(id: string): void {
    const entry = this.#loops.get(id);
    if (!entry) return;
    this.#loops.delete(id);
    const stopping = entry.loop
      .stop()
      .catch((error: unknown) => this.runtime.logger.error({ connector: id, err: error }, 'stopping a delivery loop failed'))
      .finally(() => this.#stopping.delete(stopping));
    this.#stopping.add(stopping);
  }

  async #refreshMetrics(): Promise<void> {
    try {
      await refreshQueueMetrics(this.runtime);
    } catch (error) {
      this.runtime.logger.warn({ err: error }, 'queue metrics refresh failed');
    }
  }
}
