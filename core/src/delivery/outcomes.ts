import type { ExecutionResult } from '@weft/plugin-sdk';
import type { Claim } from '../engine/lease-keeper.js';
import { retryDelayMs, type RetryPolicy } from './backoff.js';
import type { DeliveryUpdate } from './claims.js';

/**
 * What one call result does to its delivery: `ok` → delivered; `fail` → dead; `retry` → due
 * again after a backoff (never before the vendor's Retry-After), dead once the attempts are used
 * up; `pause` → back in the queue without spending the attempt (the connector stops, not the item).
 *
 * @example
 * deliveryUpdate({ id: 7, attempts: 2 }, { status: 'retry', reason: '503' }, policy) // pending, due in [0, 2·base]
 */
export function deliveryUpdate(claim: Claim, result: ExecutionResult, policy: RetryPolicy, random: () => number = Math.random): DeliveryUpdate {
  switch (result.status) {
    case 'ok':
      return { ...claim, status: 'delivered', attemptsDelta: 0, entry: { outcome: 'ok' } };
    case 'fail':
      return { ...claim, status: 'dead', lastError: result.reason, attemptsDelta: 0, entry: { outcome: 'fail', error: result.reason } };
    case 'pause':
      return { ...claim, status: 'pending', retryInMs: 0, lastError: result.reason, attemptsDelta: -1, entry: { outcome: 'paused', error: result.reason } };
    case 'retry': {
      if (claim.attempts >= policy.maxAttempts) {
        const reason = `gave up after ${claim.attempts} attempts: ${result.reason}`;
        return { ...claim, status: 'dead', lastError: reason, attemptsDelta: 0, entry: { outcome: 'fail', error: result.reason } };
      }
      const retryInMs = retryDelayMs(policy, claim.attempts, result.retryAfterMs, random);
      return { ...claim, status: 'pending', retryInMs, lastError: result.reason, attemptsDelta: 0, entry: { outcome: 'retry', error: result.reason } };
    }
  }
}

/** Puts a claimed delivery back, due at once, as if it had not been claimed (a batch that never started). */
export function releasedDelivery(claim: Claim): DeliveryUpdate {
  return { ...claim, status: 'pending', retryInMs: 0, attemptsDelta: -1 };
}

/** The `weft_deliveries_total` outcome label of an update. */
export function outcomeLabel(update: DeliveryUpdate): 'delivered' | 'dead' | 'paused' | 'retry' {
  if (update.status === 'delivered' || update.status === 'dead') return update.status;
  return update.entry?.outcome === 'paused' ? 'paused' : 'retry';
}
