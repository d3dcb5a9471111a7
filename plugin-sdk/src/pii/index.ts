/**
 * `@weft/plugin-sdk/pii`: the one normaliser and hasher of personal data that the identity engine and
 * every destination share. Ad platforms match on SHA-256 of normalised values, so two places that
 * normalise differently lose matches; normalise here.
 */
export { normalizeEmail, type NormalizeEmailOptions } from './email.js';
export { isPhoneRegion, normalizePhone, type CountryCode, type NormalizePhoneOptions } from './phone.js';
export { normalizeName } from './name.js';
export { normalizeDate, type NormalizeDateOptions } from './date.js';
export { normalizeCountry } from './country.js';
export { hashForMatching, isSha256Hex, sha256Hex, type HashForMatchingOptions, type PiiKind } from './hash.js';
