import { describe, expect, it } from 'vitest';
import type { DeliveryItem } from '@weft/plugin-sdk';
import { retryDelayMs } from '../src/delivery/backoff.js';
import { CircuitBreaker } from '../src/delivery/circuit-breaker.js';
import { DeliveryBatcher, type ActionBatching, type PendingDelivery } from '../src/delivery/batcher.js';
import { deliveryUpdate } from '../src/delivery/outcomes.js';
import { connectorSettingsSchema } from '../src/connectors/settings.js';

const policy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 5_000 };
const defaults = connectorSettingsSchema.parse({}).retry;

describe('retry backoff', () => {
  it('picks a delay between zero and a ceiling that doubles per attempt up to the maximum', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt, undefined, () => 0.999_999))).toEqual([999, 1_999, 3_999, 4_999]);
    expect(retryDelayMs(policy, 3, undefined, () => 0)).toBe(0);
  });

  it('never schedules a retry before the Retry-After the vendor asked for', () => {
    expect(retryDelayMs(policy, 1, 30_000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(policy, 3, 100, () => 0.5)).toBe(2_000);
  });

  it('spreads the default 8 attempts over at most about four hours', () => {
    const longest = Array.from({ length: defaults.maxAttempts - 1 }, (_, index) => retryDelayMs(defaults, index + 1, undefined, () => 1));
    const hours = longest.reduce((sum, delay) => sum + delay, 0) / 3_600_000;
    expect(defaults.maxAttempts).toBe(8);
    expect(hours).toBeGreaterThan(3.5);
    expect(hours).toBeLessThan(4.5);
  });
});

describe('delivery outcomes', () => {
  const claim = { id: 1, attempts: 2 };

  it('schedules a retry with its reason while attempts remain', () => {
    expect(deliveryUpdate(claim, { status: 'retry', reason: '503', retryAfterMs: 7_000 }, policy, () => 0)).toMatchObject({
      status: 'pending',
      retryInMs: 7_000,
      lastError: '503',
      attemptsDelta: 0,
      entry: { outcome: 'retry', error: '503' },
    });
  });

  it('dead-letters a retry on the last attempt, saying it gave up', () => {
    expect(deliveryUpdate({ id: 1, attempts: 4 }, { status: 'retry', reason: '503' }, policy)).toMatchObject({ status: 'dead', lastError: 'gave up after 4 attempts: 503' });
  });

  it('gives the attempt back when the connector pauses', () => {
    expect(deliveryUpdate(claim, { status: 'pause', reason: '401' }, policy)).toMatchObject({ status: 'pending', retryInMs: 0, attemptsDelta: -1, entry: { outcome: 'paused' } });
  });

  it('marks ok as delivered and fail as dead', () => {
    expect(deliveryUpdate(claim, { status: 'ok' }, policy).status).toBe('delivered');
    expect(deliveryUpdate(claim, { status: 'fail', reason: 'bad email' }, policy)).toMatchObject({ status: 'dead', lastError: 'bad email' });
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold of calls where nothing got through, doubling the cooldown per failed probe', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 3, baseCooldownMs: 100, maxCooldownMs: 250 }, () => now);
    breaker.record(false);
    breaker.record(false);
    expect([breaker.waitMs(), breaker.probing]).toEqual([0, false]);
    breaker.record(false);
    expect([breaker.waitMs(), breaker.probing]).toEqual([100, true]);
    now = 100;
    breaker.record(false);
    expect(breaker.waitMs()).toBe(200);
    now = 300;
    breaker.record(false);
    expect(breaker.waitMs()).toBe(250);
  });

  it('closes as soon as one call gets an item through', () => {
    const breaker = new CircuitBreaker({ threshold: 1, baseCooldownMs: 100, maxCooldownMs: 100 });
    breaker.record(false);
    breaker.record(true);
    expect([breaker.waitMs(), breaker.probing, breaker.consecutiveFailures]).toEqual([0, false, 0]);
  });
});

describe('delivery batcher', () => {
  let nextId = 0;
  const pending = (action: string, count: number): PendingDelivery[] =>
    Array.from({ length: count }, () => {
      const id = ++nextId;
      const item: DeliveryItem<unknown> = { payload: { id }, idempotencyKey: `k${id}`, messageId: `m${id}`, attempt: 1 };
      return { claim: { id, attempts: 1 }, action, item };
    });
  const batching: Record<string, ActionBatching> = {
    waits: { settings: { maxItems: 3 }, maxWaitMs: 1_000 },
    single: { settings: undefined, maxWaitMs: 0 },
  };
  const sizes = (batches: Array<{ deliveries: unknown[] }>) => batches.map((batch) => batch.deliveries.length);

  it('sends full batches at once and holds the rest until more arrive or the wait is over', () => {
    const batcher = new DeliveryBatcher((action) => batching[action]!);
    const first = batcher.add(pending('waits', 4), 0);
    expect([sizes(first.ready), first.holdMs, batcher.heldCount]).toEqual([[3], 1_000, 1]);
    const second = batcher.add(pending('waits', 2), 400);
    expect([sizes(second.ready), second.holdMs, batcher.heldCount]).toEqual([[3], undefined, 0]);
    batcher.add(pending('waits', 1), 500);
    expect(sizes(batcher.add([], 1_499).ready)).toEqual([]);
    expect(sizes(batcher.add([], 1_500).ready)).toEqual([1]);
  });

  it('never holds an action without maxWaitMs, and hands everything held over on drain', () => {
    const batcher = new DeliveryBatcher((action) => batching[action]!);
    const { ready } = batcher.add([...pending('single', 2), ...pending('waits', 1)], 0);
    expect(ready.map((batch) => [batch.action, batch.deliveries.length])).toEqual([['single', 1], ['single', 1]]);
    expect(batcher.drain()).toHaveLength(1);
    expect(batcher.heldCount).toBe(0);
  });

  it('sends items one per call, and says so, when the batch key throws', () => {
    const errors: string[] = [];
    const throwingKey: ActionBatching = {
      settings: {
        maxItems: 10,
        key: () => {
          throw new Error('no list id');
        },
      },
      maxWaitMs: 0,
    };
    const batcher = new DeliveryBatcher(() => throwingKey, (action, error) => errors.push(`${action}: ${(error as Error).message}`));
    expect(sizes(batcher.add(pending('keyed', 2), 0).ready)).toEqual([1, 1]);
    expect(errors).toEqual(['keyed: no list id']);
  });
});
