import { describe, expect, it } from 'vitest';
import { signWebhookPayload, verifyWebhookSignature } from './signature.js';

const secret = 'whsec-test-0123456789';
const body = '{"batch":[{"type":"track","event":"Signed Up","userId":"u1"}]}';
const now = Date.UTC(2025, 0, 2, 3, 4, 5);
const timestamp = Math.floor(now / 1000);

describe('verifyWebhookSignature', () => {
  it('accepts a body signed with the secret within the tolerance', () => {
    const signature = signWebhookPayload({ secret, timestamp, body });
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature({ secret, timestamp: String(timestamp), signature, body, now })).toEqual({ ok: true });
  });

  it('accepts the raw bytes of the body as well as the string', () => {
    const signature = signWebhookPayload({ secret, timestamp, body });
    expect(verifyWebhookSignature({ secret, timestamp, signature, body: Buffer.from(body), now })).toEqual({ ok: true });
  });

  it('rejects a body changed after signing', () => {
    const signature = signWebhookPayload({ secret, timestamp, body });
    const verdict = verifyWebhookSignature({ secret, timestamp, signature, body: body.replace('u1', 'u2'), now });
    expect(verdict).toEqual({ ok: false, reason: 'Weft-Signature does not match the body signed with the signing secret' });
  });

  it('rejects a signature made with another secret', () => {
    const signature = signWebhookPayload({ secret: 'another-secret', timestamp, body });
    expect(verifyWebhookSignature({ secret, timestamp, signature, body, now }).ok).toBe(false);
  });

  it('rejects a timestamp older than the tolerance as a replay', () => {
    const old = timestamp - 301;
    const signature = signWebhookPayload({ secret, timestamp: old, body });
    expect(verifyWebhookSignature({ secret, timestamp: old, signature, body, now })).toEqual({
      ok: false,
      reason: "Weft-Timestamp is 301 s away from the receiver's clock (tolerance 300 s): stale or replayed request",
    });
    expect(verifyWebhookSignature({ secret, timestamp: old, signature, body, now, toleranceSeconds: 600 })).toEqual({ ok: true });
  });

  it('rejects a signature whose timestamp was swapped for a fresh one', () => {
    const signature = signWebhookPayload({ secret, timestamp: timestamp - 1000, body });
    expect(verifyWebhookSignature({ secret, timestamp, signature, body, now }).ok).toBe(false);
  });

  it('says which header is missing or malformed', () => {
    const signature = signWebhookPayload({ secret, timestamp, body });
    expect(verifyWebhookSignature({ secret, timestamp: null, signature, body, now })).toEqual({ ok: false, reason: 'the Weft-Timestamp header is missing' });
    expect(verifyWebhookSignature({ secret, timestamp, signature: undefined, body, now })).toEqual({ ok: false, reason: 'the Weft-Signature header is missing' });
    expect(verifyWebhookSignature({ secret, timestamp: 'yesterday', signature, body, now })).toEqual({
      ok: false,
      reason: "Weft-Timestamp must be a unix time in seconds, got 'yesterday'",
    });
    expect(verifyWebhookSignature({ secret, timestamp, signature: 'sha256=abc', body, now })).toEqual({ ok: false, reason: 'Weft-Signature has no v1= signature' });
  });

  it('accepts any of several v1 signatures, so secrets can be rotated', () => {
    const current = signWebhookPayload({ secret, timestamp, body });
    const previous = signWebhookPayload({ secret: 'old-secret', timestamp, body });
    expect(verifyWebhookSignature({ secret, timestamp, signature: `${previous}, ${current}`, body, now })).toEqual({ ok: true });
  });
});
