import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Twilio-Email-Event-Webhook-Signature';
export const TIMESTAMP_HEADER = 'X-Twilio-Email-Event-Webhook-Timestamp';

/** How far a request's timestamp may be from now before it counts as a replay. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface VerifyEventWebhookOptions {
  /** The verification key SendGrid shows: base64 of the DER (SPKI) public key, or a PEM. */
  publicKey: string | KeyObject;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  /** The raw request body, byte for byte. */
  body: Uint8Array | string;
  toleranceSeconds?: number;
  /** Milliseconds since the epoch (default `Date.now()`). */
  now?: number;
}

export type VerifyEventWebhookResult = { ok: true } | { ok: false; reason: string };

/**
 * Reads SendGrid's verification key (Mail Settings → Signed Event Webhook): base64 of the DER
 * public key, with or without the PEM armour. Throws when it is not an EC P-256 key.
 */
export function readVerificationKey(key: string): KeyObject {
  const text = key.trim();
  const object = text.startsWith('-----BEGIN')
    ? createPublicKey(text)
    : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  if (object.asymmetricKeyType !== 'ec' || object.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('is not an ECDSA P-256 public key');
  }
  return object;
}

/**
 * Verifies a SendGrid Signed Event Webhook request: an ECDSA P-256 / SHA-256 signature (base64
 * DER) over the timestamp header followed by the raw body, and a timestamp within the window.
 *
 * @example
 * verifyEventWebhookSignature({ publicKey, signature: headers.get(SIGNATURE_HEADER), timestamp: headers.get(TIMESTAMP_HEADER), body })
 * // { ok: true } or { ok: false, reason: 'the signature does not match the body' }
 */
export function verifyEventWebhookSignature(options: VerifyEventWebhookOptions): VerifyEventWebhookResult {
  const { signature, timestamp } = options;
  if (!signature) return { ok: false, reason: `the ${SIGNATURE_HEADER} header is missing` };
  if (!timestamp) return { ok: false, reason: `the ${TIMESTAMP_HEADER} header is missing` };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `the ${TIMESTAMP_HEADER} header is not a Unix time` };
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const age = Math.floor((options.now ?? Date.now()) / 1000) - Number(timestamp);
  if (Math.abs(age) > tolerance) return { ok: false, reason: `the timestamp is ${age} s from now, outside the ${tolerance} s window (a replay?)` };
  const key = typeof options.publicKey === 'string' ? readVerificationKey(options.publicKey) : options.publicKey;
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  let valid: boolean;
  try {
    valid = verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'the signature does not match the body' };
}
