import { createHash } from 'node:crypto';
import { normalizeCountry } from './country.js';
import { normalizeDate, type NormalizeDateOptions } from './date.js';
import { normalizeEmail, type NormalizeEmailOptions } from './email.js';
import { normalizeName } from './name.js';
import { normalizePhone, type NormalizePhoneOptions } from './phone.js';

/** The options of every normaliser; each kind reads its own. */
export type HashForMatchingOptions = NormalizeEmailOptions & NormalizePhoneOptions & NormalizeDateOptions;

const normalizers = {
  email: normalizeEmail,
  phone: normalizePhone,
  name: normalizeName,
  date: normalizeDate,
  country: normalizeCountry,
} satisfies Record<string, (value: unknown, options: HashForMatchingOptions) => string | undefined>;

/** What `hashForMatching` can normalise: `email`, `phone`, `name`, `date`, `country`. */
export type PiiKind = keyof typeof normalizers;

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * True when `value` is a SHA-256 digest in hex (64 hex digits, either case).
 *
 * @example
 * isSha256Hex(sha256Hex('ada@example.com')) // true
 * isSha256Hex('ada@example.com') // false
 */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/**
 * The SHA-256 digest of `value`'s UTF-8 bytes, in lower-case hex.
 *
 * @example
 * sha256Hex('test@example.com') // '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b'
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Normalises `value` as a `kind` and hashes it with SHA-256, as ad platforms match on; `undefined`
 * when the value does not normalise. A value that is already a SHA-256 hex digest is returned as it
 * is (trimmed, in lower case), never hashed twice.
 *
 * @example
 * hashForMatching('email', ' Test@Example.COM ') // '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b'
 * hashForMatching('phone', '+1 (650) 555-1212', { phoneFormat: 'digits' }) // sha256Hex('16505551212')
 * hashForMatching('email', '973DFE463EC85785F5F95AF5BA3906EEDB2D931C24E69824A89EA65DBA4E813B') // the same digest, in lower case
 */
export function hashForMatching(kind: PiiKind, value: unknown, options: HashForMatchingOptions = {}): string | undefined {
  const normalize = Object.hasOwn(normalizers, kind) ? normalizers[kind] : undefined;
  if (!normalize) throw new TypeError(`hashForMatching cannot normalise '${String(kind)}'; the kinds are ${Object.keys(normalizers).join(', ')}`);
  if (typeof value === 'string' && isSha256Hex(value.trim())) return value.trim().toLowerCase();
  const normalized = normalize(value, options);
  return normalized === undefined ? undefined : sha256Hex(normalized);
}
