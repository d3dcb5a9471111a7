import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 hex of a key or token; what the database stores. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new random credential with a readable prefix, e.g. `wk_3f9a…` for write keys, `wt_…` for admin tokens. */
export function generateToken(prefix: 'wk' | 'wt'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
