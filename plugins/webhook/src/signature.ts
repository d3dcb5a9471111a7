import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the unix time (seconds) the request was signed at. */
export const TIMESTAMP_HEADER = 'Weft-Timestamp';
/** Header carrying `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`; several comma-separated values are allowed. */
export const SIGNATURE_HEADER = 'Weft-Signature';

/** How far a signed timestamp may be from the receiver's clock by default (both directions). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

type Body = string | Uint8Array;

/**
 * Signs a request body: `v1=` + hex HMAC-SHA256 of `"<timestamp>.<body>"` keyed with the secret.
 *
 * @example
 * const timestamp = Math.floor(Date.now() / 1000);
 * headers['Weft-Signature'] = signWebhookPayload({ secret, timestamp, body });
 */
export function signWebhookPayload({ secret, timestamp, body }: { secret: string; timestamp: number | string; body: Body }): string {
  return `v1=${hmacHex(secret, String(timestamp), body)}`;
}

export interface VerifyWebhookSignatureOptions {
  secret: string;
  /** The `Weft-Timestamp` header as received. */
  timestamp: string | number | null | undefined;
  /** The raw request body, byte for byte as received (never re-serialised JSON). */
  body: Body;
  /** The `Weft-Signature` header as received. */
  signature: string | null | undefined;
  /** Oldest (and furthest in the future) a timestamp may be; defaults to 300 s. */
  toleranceSeconds?: number;
  /** The receiver's clock in milliseconds; defaults to `Date.now()`. */
  now?: number;
}

export type VerifyWebhookSignatureResult = { ok: true } | { ok: false; reason: string };

/**
 * Verifies a Weft webhook signature in constant time and rejects requests outside the replay
 * window. Accepts any matching `v1=` value, so a sender may sign with two secrets while rotating.
 *
 * @example
 * const verdict = verifyWebhookSignature({
 *   secret: process.env.WEFT_SIGNING_SECRET!,
 *   timestamp: req.headers['weft-timestamp'],
 *   signature: req.headers['weft-signature'],
 *   body: rawBody,
 * });
 * if (!verdict.ok) return res.status(401).send(verdict.reason);
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): VerifyWebhookSignatureResult {
  const { secret, body, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now = Date.now() } = options;
  const timestamp = options.timestamp === null || options.timestamp === undefined ? '' : String(options.timestamp).trim();
  const signature = options.signature?.trim() ?? '';
  if (timestamp === '') return { ok: false, reason: `the ${TIMESTAMP_HEADER} header is missing` };
  if (signature === '') return { ok: false, reason: `the ${SIGNATURE_HEADER} header is missing` };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} must be a unix time in seconds, got '${timestamp.slice(0, 40)}'` };
  const skewSeconds = Math.abs(Math.floor(now / 1000) - Number(timestamp));
  if (skewSeconds > toleranceSeconds) {
    return { ok: false, reason: `${TIMESTAMP_HEADER} is ${skewSeconds} s away from the receiver's clock (tolerance ${toleranceSeconds} s): stale or replayed request` };
  }
  const candidates = signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => part.slice(3));
  if (candidates.length === 0) return { ok: false, reason: `${SIGNATURE_HEADER} has no v1= signature` };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'utf8');
  // Compare every candidate so timing does not reveal which one (or how much of one) matched.
  let matched = false;
  for (const candidate of candidates) {
    const received = Buffer.from(candidate, 'utf8');
    if (received.length === expected.length && timingSafeEqual(received, expected)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: `${SIGNATURE_HEADER} does not match the body signed with the signing secret` };
}

function hmacHex(secret: string, timestamp: string, body: Body): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}
