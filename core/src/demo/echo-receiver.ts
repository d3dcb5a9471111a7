import { createHmac } from 'node:crypto';
import { safeEqual } from '../auth/tokens.js';

/** One request the demo webhook destination made to `/demo/echo`. */
export interface EchoedDelivery {
  receivedAt: string;
  idempotencyKey: string | null;
  /** The events of the batch, as the destination sent them (after the demo transform). */
  events: unknown[];
}

/** How far the signed timestamp may be from our clock, as the webhook plugin's receivers check it. */
const toleranceSeconds = 300;

/**
 * Checks a webhook delivery the way any receiver of the `webhook` plugin does (see
 * plugins/webhook/README.md): `Weft-Signature: v1=<hex HMAC-SHA256 of "<Weft-Timestamp>.<body>">`,
 * within five minutes of now. Written as a receiver would, since core does not depend on plugins.
 *
 * @example
 * const problem = webhookSignatureProblem({ secret, timestamp: '1700000000', signature: 'v1=ab…', body, now: Date.now() });
 * if (problem) return c.json({ error: problem }, 401);
 */
export function webhookSignatureProblem(input: { secret: string; timestamp: string | undefined; signature: string | undefined; body: string; now: number }): string | undefined {
  const { secret, timestamp, signature, body, now } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return 'Weft-Timestamp is missing or not a unix time';
  if (Math.abs(Math.floor(now / 1000) - Number(timestamp)) > toleranceSeconds) return 'Weft-Timestamp is too far from now (stale or replayed request)';
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  const candidates = (signature ?? '').split(',').map((part) => part.trim());
  return candidates.some((candidate) => safeEqual(candidate, expected)) ? undefined : 'Weft-Signature does not match the demo-echo signing secret';
}

/** The last `capacity` deliveries, newest first; kept in memory only (the demo needs nothing more). */
export class EchoLog {
  readonly #entries: EchoedDelivery[] = [];

  constructor(private readonly capacity = 100) {}

  record(entry: EchoedDelivery): void {
    this.#entries.unshift(entry);
    this.#entries.length = Math.min(this.#entries.length, this.capacity);
  }

  list(): EchoedDelivery[] {
    return [...this.#entries];
  }
}
