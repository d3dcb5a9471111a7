import { splitIntoBatches, type BatchSettings, type DeliveryItem } from '@weft/plugin-sdk';
import type { Claim } from '../engine/lease-keeper.js';

/** A claimed delivery on its way to a call: the claim (for recording the outcome) and what the plugin sees. */
export interface PendingDelivery {
  claim: Claim;
  action: string;
  item: DeliveryItem<unknown>;
}

export interface DeliveryBatch {
  action: string;
  deliveries: PendingDelivery[];
}

/** How one action batches: the SDK's batch settings (undefined: one item per call) and how long a partial batch may wait. */
export interface ActionBatching {
  settings: Pick<BatchSettings<unknown>, 'maxItems' | 'maxBytes' | 'key'> | undefined;
  maxWaitMs: number;
}

/**
 * Groups claimed deliveries into calls, per action, with the SDK's `splitIntoBatches`. A partial
 * batch of an action with `maxWaitMs` is held back until more items fill it or the wait is over;
 * the held rows stay claimed meanwhile (their leases are kept alive), so nobody else takes them.
 *
 * @example
 * const batcher = new DeliveryBatcher((action) => ({ settings: { maxItems: 100 }, maxWaitMs: 500 }));
 * const { ready, holdMs } = batcher.add(claimed);
 */
export class DeliveryBatcher {
  readonly #held = new Map<string, { since: number; deliveries: PendingDelivery[] }>();

  constructor(
    private readonly batchingOf: (action: string) => ActionBatching,
    /** Told when an action's batch key throws; its items then go one per call. */
    private readonly onKeyError: (action: string, error: unknown) => void = () => {},
  ) {}

  /** Deliveries held back, waiting for more of their action. */
  get heldCount(): number {
    let count = 0;
    for (const held of this.#held.values()) count += held.deliveries.length;
    return count;
  }

  /**
   * Adds newly claimed deliveries (possibly none) and returns the batches to send now, plus how
   * long until the next held batch must go (undefined when nothing is held).
   */
  add(claimed: PendingDelivery[], now: number = Date.now()): { ready: DeliveryBatch[]; holdMs: number | undefined } {
    const byAction = new Map<string, PendingDelivery[]>();
    for (const [action, held] of this.#held) byAction.set(action, [...held.deliveries]);
    for (const delivery of claimed) {
      const list = byAction.get(delivery.action);
      if (list) list.push(delivery);
      else byAction.set(delivery.action, [delivery]);
    }
    const ready: DeliveryBatch[] = [];
    for (const [action, deliveries] of byAction) {
      const { settings, maxWaitMs } = this.batchingOf(action);
      const batches = this.#split(action, deliveries, settings);
      const since = this.#held.get(action)?.since ?? now;
      const waitOver = !settings || maxWaitMs <= 0 || now - since >= maxWaitMs;
      const kept: PendingDelivery[] = [];
      for (const batch of batches) {
        if (waitOver || batch.length >= settings.maxItems) ready.push({ action, deliveries: batch });
        else kept.push(...batch);
      }
      if (kept.length > 0) this.#held.set(action, { since, deliveries: kept });
      else this.#held.delete(action);
    }
    let holdMs: number | undefined;
    for (const [action, held] of this.#held) {
      const left = Math.max(0, held.since + this.batchingOf(action).maxWaitMs - now);
      holdMs = holdMs === undefined ? left : Math.min(holdMs, left);
    }
    return { ready, holdMs };
  }

  /** Takes everything held (on stop: the rows are given back to the queue). */
  drain(): PendingDelivery[] {
    const all = [...this.#held.values()].flatMap((held) => held.deliveries);
    this.#held.clear();
    return all;
  }

  #split(action: string, deliveries: PendingDelivery[], settings: ActionBatching['settings']): PendingDelivery[][] {
    // splitIntoBatches returns the very item objects it was given, so each maps back to its delivery.
    const byItem = new Map(deliveries.map((delivery) => [delivery.item, delivery]));
    try {
      return splitIntoBatches(
        deliveries.map((delivery) => delivery.item),
        settings,
      ).map((batch) => batch.map((item) => byItem.get(item)!));
    } catch (error) {
      // A batch of one item cannot mix keys, and no claimed row is stranded.
      this.onKeyError(action, error);
      return deliveries.map((delivery) => [delivery]);
    }
  }
}
