import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { ConfigError } from '../errors.js';
import { readText } from './text.js';

export type { CountryCode } from 'libphonenumber-js/max';

export interface NormalizePhoneOptions {
  /** Region of numbers written without a country code (`CN` reads `138 0013 8000` as `+8613800138000`). */
  defaultRegion?: CountryCode;
  /** `e164` (default): `+8613800138000`. `digits`: the same without `+`, as Meta's custom audiences want. */
  phoneFormat?: 'e164' | 'digits';
}

// Digits and the separators people type. Letters, extensions and free text are refused: an extension
// is a desk, not a person, and "call after 6" is not a number.
const PHONE_CHARACTERS = /^\+?[\d\s().\-/]+$/;

/**
 * A phone number in E.164 (`+8613800138000`), or `undefined` unless libphonenumber-js finds it valid
 * for its region. National numbers need `defaultRegion`; `+`, the `00` international prefix and the
 * region's own (`011` from the US) are understood. Without `defaultRegion` a number without a country
 * code is `undefined`, never a guess. Throws a `ConfigError` for an unknown `defaultRegion`.
 *
 * @example
 * normalizePhone('138 0013 8000', { defaultRegion: 'CN' }) // '+8613800138000'
 * normalizePhone('0086 138-0013-8000') // '+8613800138000'
 * normalizePhone('(650) 253-0000', { defaultRegion: 'US', phoneFormat: 'digits' }) // '16502530000'
 * normalizePhone('12345', { defaultRegion: 'CN' }) // undefined
 */
export function normalizePhone(value: unknown, options: NormalizePhoneOptions = {}): string | undefined {
  const { defaultRegion } = options;
  if (defaultRegion !== undefined && !isPhoneRegion(defaultRegion)) {
    throw new ConfigError(`defaultRegion '${String(defaultRegion)}' is not a region libphonenumber-js knows; expected an ISO 3166-1 alpha-2 code such as 'CN' or 'US'`);
  }
  const text = typeof value === 'number' ? digitsOf(value) : readText(value);
  if (text === undefined || !PHONE_CHARACTERS.test(text)) return undefined;
  const e164 = parsedNumbers.read(`${defaultRegion ?? ''}\u0000${text}`, () => {
    // 00 is the international prefix almost everywhere, even where the default region dials another one.
    const parsed = parsePhoneNumberFromString(text.replace(/^00/, '+'), defaultRegion);
    return parsed?.isValid() ? parsed.number : null;
  });
  if (e164 === null) return undefined;
  return options.phoneFormat === 'digits' ? e164.slice(1) : e164;
}

/**
 * The last numbers read, by default region and text: the same person's number arrives with every
 * event they send, and validating it (libphonenumber-js matches it against each number type's
 * pattern, compiling a RegExp for each) is the costliest part of normalising an identify event.
 * Bounded: past `size` entries the oldest goes.
 */
class RecentNumbers {
  readonly #entries = new Map<string, string | null>();
  constructor(private readonly size: number) {}

  read(key: string, parse: () => string | null): string | null {
    const known = this.#entries.get(key);
    if (known !== undefined) return known;
    const parsed = parse();
    if (this.#entries.size >= this.size) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, parsed);
    return parsed;
  }
}

const parsedNumbers = new RecentNumbers(10_000);

/**
 * True when `value` is a region libphonenumber-js can read national numbers of: check a configured
 * default region with it once, rather than have `normalizePhone` throw for every number.
 *
 * @example
 * z.string().refine(isPhoneRegion, 'must be a region code such as CN or US')
 */
export function isPhoneRegion(value: unknown): value is CountryCode {
  return typeof value === 'string' && isSupportedCountry(value);
}

/** A number read from JSON or a spreadsheet has lost its `+`; only whole positive numbers can be phones. */
function digitsOf(value: number): string | undefined {
  return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
}
