export interface CircuitBreakerOptions {
  /** Calls in a row where nothing got through before the breaker opens. */
  threshold: number;
  /** First pause; doubles with every failed probe. */
  baseCooldownMs: number;
  maxCooldownMs: number;
}

export const defaultBreakerOptions: CircuitBreakerOptions = { threshold: 5, baseCooldownMs: 1_000, maxCooldownMs: 60_000 };

/**
 * Stops a delivery loop from hammering a destination that fails every call. Each item already
 * backs off on its own, but a deep queue still has items due all the time; after `threshold`
 * calls in a row where no item got through, the loop pauses for a cooldown, then sends a single
 * probe call: one item through closes the breaker, another failure reopens it for twice as long.
 *
 * @example
 * const breaker = new CircuitBreaker();
 * breaker.record(false); // a call where every item failed
 * if (breaker.waitMs() > 0) … // open: do not call
 */
export class CircuitBreaker {
  #failures = 0;
  #openUntil = 0;

  constructor(
    private readonly options: CircuitBreakerOptions = defaultBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a finished call: `gotThrough` when at least one item was delivered or definitively refused. */
  record(gotThrough: boolean): void {
    if (gotThrough) {
      this.#failures = 0;
      this.#openUntil = 0;
      return;
    }
    this.#failures++;
    const overshoot = this.#failures - this.options.threshold;
    if (overshoot >= 0) {
      this.#openUntil = this.now() + Math.min(this.options.maxCooldownMs, this.options.baseCooldownMs * 2 ** Math.min(overshoot, 30));
    }
  }

  /** How long to wait before calling again (0 when calls may go). */
  waitMs(): number {
    return Math.max(0, this.#openUntil - this.now());
  }

  /** Past the threshold, only one call at a time may go (the probe). */
  get probing(): boolean {
    return this.#failures >= this.options.threshold;
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }
}
