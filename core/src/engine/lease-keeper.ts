/** A claimed row: its id and the attempt number the claim gave it, which fences stale writers out. */
export interface Claim {
  id: number;
  attempts: number;
}

/**
 * Keeps the leases of claimed rows alive while this process works on them: every third of a
 * lease it calls `renew` with everything it holds. Work that outlives one lease (a slow
 * transform, a batch waiting for its turn on a rate-limited destination) is therefore never
 * claimed by another worker, while the rows of a process that died fall due one lease later.
 *
 * @example
 * const keeper = new LeaseKeeper(60_000, (claims) => renewDeliveryLeases(database, claims, 60_000), log);
 * keeper.hold(claimed); // … work …
 * keeper.release(claimed);
 * keeper.stop();
 */
export class LeaseKeeper {
  readonly #held = new Map<number, number>();
  readonly #timer: NodeJS.Timeout;
  #renewing = false;

  constructor(
    leaseMs: number,
    private readonly renew: (claims: Claim[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {
    this.#timer = setInterval(() => void this.#renewAll(), Math.max(10, Math.floor(leaseMs / 3)));
    // Renewal alone must not keep a process alive that has nothing else to do.
    this.#timer.unref();
  }

  get size(): number {
    return this.#held.size;
  }

  hold(claims: Iterable<Claim>): void {
    for (const claim of claims) this.#held.set(claim.id, claim.attempts);
  }

  release(claims: Iterable<{ id: number }>): void {
    for (const claim of claims) this.#held.delete(claim.id);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#held.clear();
  }

  async #renewAll(): Promise<void> {
    if (this.#renewing || this.#held.size === 0) return;
    this.#renewing = true;
    try {
      await this.renew([...this.#held].map(([id, attempts]) => ({ id, attempts })));
    } catch (error) {
      this.onError(error);
    } finally {
      this.#renewing = false;
    }
  }
}
