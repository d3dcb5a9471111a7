/** The retry policy of one destination connector (its `settings.retry`). */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before the next attempt after `attempt` failed: exponential backoff with full jitter
 * (uniform in [0, min(max, base·2^(attempt−1))]), never shorter than the vendor's Retry-After.
 *
 * @example
 * retryDelayMs({ maxAttempts: 8, baseDelayMs: 120_000, maxDelayMs: 7_200_000 }, 3) // somewhere in [0, 480 s]
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs);
}
