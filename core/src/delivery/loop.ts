import PQueue from 'p-queue';
import { notifyIdentityMerge, performAction, type DeliveryItem, type DestinationComponent, type ExecutionResult, type IdentityMerge } from '@weft/plugin-sdk';
import type { Runtime } from '../runtime.js';
import type { ConnectorCache, LiveConnector } from '../engine/connector-cache.js';
import { Idler } from '../engine/idler.js';
import { LeaseKeeper } from '../engine/lease-keeper.js';
import { claimDueDeliveries, nextDueInMs, recordOutcomes, renewDeliveryLeases, type ClaimedDelivery } from './claims.js';
import { DeliveryBatcher, type ActionBatching, type DeliveryBatch, type PendingDelivery } from './batcher.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { deliveryUpdate, outcomeLabel, releasedDelivery } from './outcomes.js';
import { mergeNoticeAction } from '../identity/merge-notices.js';

/**
 * Delivers one destination connector's outbox: claims due rows, batches them per action, and
 * runs the calls on the connector's own queue (its concurrency and rate limit), so a slow,
 * hanging or failing destination only ever holds up itself.
 *
 * @example
 * const loop = new DeliveryLoop(runtime, cache, await cache.get('crm-hook'));
 * loop.start();
 * await loop.stop(); // calls in flight finish; claimed rows not yet sent are given back
 */
export class DeliveryLoop {
  readonly #idler = new Idler();
  readonly #queue: PQueue;
  readonly #breaker = new CircuitBreaker();
  readonly #batcher: DeliveryBatcher;
  readonly #leases: LeaseKeeper;
  #running = false;
  #paused = false;
  #loop: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly cache: ConnectorCache,
    readonly connector: LiveConnector,
  ) {
    const { concurrency, rateLimitPerSecond } = connector.settings;
    this.#queue = new PQueue({ concurrency, ...(rateLimitPerSecond ? rateLimit(rateLimitPerSecond) : {}) });
    this.#batcher = new DeliveryBatcher(
      (action) => this.#batchingOf(action),
      (action, error) => runtime.logger.error({ err: error, connector: this.id, action }, 'the batch key of this action threw; sending its items one per call'),
    );
    const { leaseMs } = runtime.config.engine;
    this.#leases = new LeaseKeeper(leaseMs, (claims) => renewDeliveryLeases(runtime.database, claims, leaseMs), (error) =>
      runtime.logger.warn({ err: error, connector: this.id }, 'delivery loop: renewing leases failed'),
    );
  }

  get id(): string {
    return this.connector.row.id;
  }

  /** True once the connector paused itself (auth/config error): the manager drops the loop. */
  get paused(): boolean {
    return this.#paused;
  }

  start(): void {
    this.#running = true;
    this.#unsubscribe = this.runtime.signals.onDeliveries(this.id, () => this.#idler.wake());
    this.#loop = this.#run();
  }

  /** Stops claiming, gives back claimed rows not yet sent, and waits for the calls in flight (each is bounded). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    this.#idler.wake();
    await this.#loop;
    try {
      await this.#release(this.#batcher.drain());
    } finally {
      await this.#queue.onIdle();
      this.#leases.stop();
    }
  }

  async #run(): Promise<void> {
    while (this.#running && !this.#paused) {
      let waitMs: number;
      try {
        waitMs = await this.#step();
      } catch (error) {
        this.runtime.logger.error({ err: error, connector: this.id }, 'delivery loop: claiming failed; retrying');
        waitMs = 1_000;
      }
      if (waitMs > 0 && this.#running) await this.#idler.idle(waitMs);
    }
  }

  /** One round: claims what there is room for and queues the batches that are ready. Returns how long to idle. */
  async #step(): Promise<number> {
    const { leaseMs, pollIntervalMs } = this.runtime.config.engine;
    const cooldown = this.#breaker.waitMs();
    if (cooldown > 0) return cooldown;
    const calls = this.#breaker.probing ? 1 : this.connector.settings.concurrency;
    const slots = calls - this.#queue.pending - this.#queue.size;
    // A finishing call wakes the loop, so a full queue costs no polling.
    if (slots <= 0) return pollIntervalMs;
    const room = slots * this.#largestBatch() - this.#batcher.heldCount;
    const claimed = room > 0 ? await claimDueDeliveries(this.runtime.database, this.id, room, leaseMs) : [];
    this.#leases.hold(claimed);
    const { ready, holdMs } = this.#batcher.add(claimed.map(toPending));
    for (const batch of ready) void this.#queue.add(() => this.#deliver(batch));
    if (room > 0 && claimed.length === room) return 0;
    const idle = claimed.length > 0 ? pollIntervalMs : await this.#idleUntilDue(pollIntervalMs);
    return Math.min(idle, holdMs ?? Number.POSITIVE_INFINITY);
  }

  /**
   * With nothing to claim, sleeps until the next retry falls due, at most a few polls: new rows
   * from this process wake the loop at once, and rows from other processes wait at most that long.
   */
  async #idleUntilDue(pollIntervalMs: number): Promise<number> {
    const due = await nextDueInMs(this.runtime.database, this.id);
    const longest = Math.max(pollIntervalMs, idleCapMs);
    // Rows due but skipped (another worker is claiming them) must not spin the loop.
    return due === undefined ? longest : Math.min(longest, Math.max(Math.min(pollIntervalMs, 25), Math.ceil(due)));
  }

  #batchingOf(actionName: string): ActionBatching {
    // Merge notices go one per call: onIdentityMerge takes a single merge.
    if (actionName === mergeNoticeAction) return { settings: undefined, maxWaitMs: 0 };
    const action = (this.connector.component as DestinationComponent).actions[actionName];
    const maxItems = this.connector.settings.actions[actionName]?.maxItems;
    if (action?.batch) return { settings: { ...action.batch, maxItems: maxItems ?? action.batch.maxItems }, maxWaitMs: action.batch.maxWaitMs ?? 0 };
    return { settings: maxItems ? { maxItems } : undefined, maxWaitMs: 0 };
  }

  #largestBatch(): number {
    const actions = Object.keys((this.connector.component as DestinationComponent).actions);
    return Math.max(1, ...actions.map((action) => this.#batchingOf(action).settings?.maxItems ?? 1));
  }

  async #deliver(batch: DeliveryBatch): Promise<void> {
    try {
      // Queued before a stop or a pause and never started: no attempt was made.
      if (!this.#running || this.#paused) return await this.#release(batch.deliveries);
      const started = performance.now();
      const results = await this.#call(batch);
      this.runtime.metrics.deliverySeconds.observe({ connector: this.id, action: batch.action }, (performance.now() - started) / 1000);
      await this.#record(batch, results);
    } catch (error) {
      this.runtime.logger.error({ err: error, connector: this.id }, 'delivery loop: recording outcomes failed; the rows fall due again when their lease runs out');
    } finally {
      this.#leases.release(batch.deliveries.map((delivery) => delivery.claim));
      this.#idler.wake();
    }
  }

  /**
   * Calls the plugin through the SDK's `performAction` (merge notices through `notifyIdentityMerge`),
   * exactly as the test harness does.
   */
  async #call(batch: DeliveryBatch): Promise<ExecutionResult[]> {
    const component = this.connector.component as DestinationComponent;
    const items = batch.deliveries.map((delivery) => delivery.item);
    if (batch.action === mergeNoticeAction) {
      return this.#guarded(notifyIdentityMerge(component, items as DeliveryItem<IdentityMerge>[], this.connector.ctx), items.length, items.length);
    }
    const action = component.actions[batch.action];
    if (!action) return items.map(() => ({ status: 'fail', reason: `the destination has no action '${batch.action}' any more` }));
    const results: ExecutionResult[] = [];
    const sendable: Array<{ index: number; item: DeliveryItem<unknown> }> = [];
    items.forEach((item, index) => {
      // A dead letter replayed after its mapping failed has no payload to send.
      if (item.payload === null && !action.payload.safeParse(null).success) results[index] = { status: 'fail', reason: noPayloadReason };
      else sendable.push({ index, item });
    });
    if (sendable.length === 0) return results;
    const work = performAction(action, sendable.map(({ item }) => item), this.connector.ctx);
    const answered = await this.#guarded(work, sendable.length, action.performBatch ? 1 : sendable.length);
    sendable.forEach(({ index }, position) => (results[index] = answered[position]!));
    return results;
  }

  /** `work`'s results, or a retry for each of its `items` once `calls` plugin calls' worth of time has passed. */
  #guarded(work: Promise<ExecutionResult[]>, items: number, calls: number): Promise<ExecutionResult[]> {
    // fetch times out on its own; this only bounds a plugin that hangs without fetch.
    const guardMs = 2 * this.connector.settings.timeoutMs * calls;
    return withGuard(work, guardMs, () => Array.from({ length: items }, () => ({ status: 'retry', reason: `the plugin did not answer within ${guardMs} ms` })));
  }

  async #record(batch: DeliveryBatch, results: ExecutionResult[]): Promise<void> {
    const updates = batch.deliveries.map((delivery, index) => deliveryUpdate(delivery.claim, results[index]!, this.connector.settings.retry));
    const changed = await recordOutcomes(this.runtime.database, updates);
    if (changed < updates.length) {
      this.runtime.logger.warn({ connector: this.id, stale: updates.length - changed }, 'delivery loop: some leases ran out during the call; another worker owns those rows now');
    }
    for (const update of updates) this.runtime.metrics.deliveries.inc({ connector: this.id, action: batch.action, outcome: outcomeLabel(update) });
    this.#breaker.record(results.some((result) => result.status === 'ok' || result.status === 'fail'));
    const pause = results.find((result): result is Extract<ExecutionResult, { status: 'pause' }> => result.status === 'pause');
    if (pause) await this.#pause(pause.reason);
  }

  /** An auth or config error: stop this connector and say why (`weft connectors status`) until someone re-enables it. */
  async #pause(reason: string): Promise<void> {
    if (this.#paused) return;
    this.#paused = true;
    this.#idler.wake();
    await this.runtime.connectors.pause(this.id, reason);
    this.cache.forget(this.id);
    this.runtime.logger.warn({ connector: this.id, reason }, 'destination paused');
  }

  async #release(deliveries: PendingDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await recordOutcomes(
      this.runtime.database,
      deliveries.map((delivery) => releasedDelivery(delivery.claim)),
    );
    this.#leases.release(deliveries.map((delivery) => delivery.claim));
  }
}

/** The longest an idle loop sleeps: how late it may notice rows that another process queued or replayed. */
const idleCapMs = 2_000;

const noPayloadReason = 'no payload: building it failed when the event was routed (see the first history entry); fix the mapping and run the event through the pipeline again';

function toPending(row: ClaimedDelivery): PendingDelivery {
  return {
    claim: { id: row.id, attempts: row.attempts },
    action: row.action,
    item: { payload: row.payload, idempotencyKey: row.idempotencyKey, messageId: row.messageId, attempt: row.attempts },
  };
}

/** p-queue's interval options for "at most `perSecond` calls per second" (fractions allowed: 0.5 → one call every 2 s). */
function rateLimit(perSecond: number): { intervalCap: number; interval: number } {
  const intervalCap = Math.max(1, Math.round(perSecond));
  return { intervalCap, interval: Math.round((1_000 * intervalCap) / perSecond) };
}

/** Resolves with `work`, or with `fallback()` once `ms` have passed without an answer. */
async function withGuard<T>(work: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback()), ms)));
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
