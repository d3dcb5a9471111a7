/**
 * Known answers for ad-platform matching (plugin-sdk/fixtures/normalization-cases.json; see
 * fixtures/SOURCES.md): every case a normaliser here covers is run, and each case where the SDK's
 * rule differs from the fixture's is listed below with the reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashForMatching, normalizeCountry, normalizeEmail, normalizeName, normalizePhone, sha256Hex, type PiiKind } from '@weft/plugin-sdk/pii';

interface NormalizationCase {
  field: string;
  input: string;
  normalized?: string | null;
  sha256?: string | null;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/normalization-cases.json', import.meta.url), 'utf8')) as Record<string, unknown>;

type HashOptions = Parameters<typeof hashForMatching>[2];

/** What each kind's normaliser answers, as `hashForMatching` calls it. */
const normalizers: Partial<Record<PiiKind, (value: unknown, options?: HashOptions) => string | undefined>> = {
  email: normalizeEmail,
  phone: normalizePhone,
  name: normalizeName,
  country: normalizeCountry,
};

/** How each platform's fields are normalised with the SDK: the kind, and the options that platform needs. */
const coverage: Record<string, Record<string, { kind: PiiKind; options?: HashOptions }>> = {
  // Meta wants phone digits without '+'.
  meta_custom_audience: {
    PHONE: { kind: 'phone', options: { phoneFormat: 'digits' } },
    FN: { kind: 'name' },
    LN: { kind: 'name' },
    COUNTRY: { kind: 'country' },
    EMAIL: { kind: 'email' },
  },
  // Google Customer Match wants E.164 phones and Gmail addresses without dots.
  google_customer_match: {
    email: { kind: 'email', options: { canonicalizeGmail: true } },
    phone: { kind: 'phone' },
  },
};

/** Fields no normaliser here handles: postal codes, and Tencent's MD5 device ids (not SHA-256 matching). */
const notCovered = ['meta_custom_audience/ZIP', 'tencent_ads_dmp/HASH_IDFA', 'tencent_ads_dmp/HASH_IMEI', 'tencent_ads_dmp/HASH_MAC'];

const INDIAN_LENGTH =
  "RudderStack's Google normaliser only strips non-digits and puts '+' in front; '+91 238 2193' is not a valid Indian number " +
  '(Indian numbers have ten national digits) and the SDK returns only valid numbers. With defaultRegion PT the digits are the ' +
  'Portuguese mobile +351912382193.';

/** Where the SDK's rule and the fixture's expectation differ, what the SDK answers, and why its rule stands. */
const disagreements: Record<string, { sdk: string | undefined; why: string }> = {
  'meta_custom_audience/FN/Valéry': {
    sdk: 'valery',
    why: 'Meta keeps accented letters in UTF-8; the SDK removes Latin accents so "Valéry" and "Valery" (typed on a keyboard without é) are one name in the identity graph. A Meta destination that wants Meta\'s exact rule needs its own option.',
  },
  "meta_custom_audience/LN/O'Brien": {
    sdk: "o'brien",
    why: 'Meta removes all punctuation; the SDK keeps an apostrophe between letters, which is part of the name (the rule the identity engine matches on).',
  },
  'meta_custom_audience/FN/Mary-Jane': {
    sdk: 'mary-jane',
    why: 'Meta removes all punctuation; the SDK keeps a hyphen between letters, which is part of the name.',
  },
  'meta_custom_audience/COUNTRY/USA': {
    sdk: 'us',
    why: 'RudderStack drops anything that is not already alpha-2; the SDK maps alpha-3 codes to alpha-2, so what it returns is still the alpha-2 code Meta asks for.',
  },
  'google_customer_match/email/j.o.h.n+alias@googlemail.com': {
    sdk: 'john@gmail.com',
    why: 'googlemail.com and gmail.com are the same mailboxes, so the SDK writes both as gmail.com: one mailbox, one value.',
  },
  'google_customer_match/phone/912382193': { sdk: undefined, why: INDIAN_LENGTH },
  'google_customer_match/phone/+912382193': { sdk: undefined, why: INDIAN_LENGTH },
  'google_customer_match/phone/91 238 2193': { sdk: undefined, why: INDIAN_LENGTH },
  'google_customer_match/phone/(912)382193': { sdk: undefined, why: INDIAN_LENGTH },
  'google_customer_match/phone/912.382.193': { sdk: undefined, why: INDIAN_LENGTH },
  'google_customer_match/phone/912-382-193': { sdk: undefined, why: INDIAN_LENGTH },
};

const sections = Object.entries(fixture).filter(([name]) => name !== '_note' && name !== 'limits') as Array<[string, Array<NormalizationCase & { user_id_type?: string }>]>;
const covered = sections.flatMap(([section, cases]) =>
  cases.flatMap((testCase) => {
    const rule = coverage[section]?.[testCase.field];
    return rule ? [{ section, key: `${section}/${testCase.field}/${testCase.input}`, ...testCase, ...rule }] : [];
  }),
);

// The fixture writes "drop this value" as null or ''; the SDK writes it as undefined.
const expectedOf = (normalized: string | null | undefined) => (normalized === null || normalized === '' ? undefined : normalized);

describe('normalization-cases.json', () => {
  it('is run for every field except those listed as not covered', () => {
    const fields = new Set(sections.flatMap(([section, cases]) => cases.map((testCase) => `${section}/${testCase.field ?? testCase.user_id_type}`)));
    expect([...fields].filter((field) => !covered.some(({ key }) => key.startsWith(`${field}/`)))).toEqual(notCovered);
  });

  it("has a sha256 that is the SHA-256 of its normalized value in every case (the fixture's own consistency)", () => {
    for (const { key, normalized, sha256 } of covered) {
      if (sha256) expect({ key, sha256: sha256Hex(normalized!) }).toEqual({ key, sha256 });
    }
  });

  it('lists only disagreements that are cases of the fixture', () => {
    expect(Object.keys(disagreements).filter((key) => !covered.some((testCase) => testCase.key === key))).toEqual([]);
  });

  it.each(covered.filter(({ key }) => !(key in disagreements)))('$section $field $input → $normalized', ({ input, normalized, sha256, kind, options }) => {
    expect(normalizers[kind]!(input, options)).toBe(expectedOf(normalized));
    expect(hashForMatching(kind, input, options)).toBe(sha256 ?? undefined);
  });

  it.each(covered.filter(({ key }) => key in disagreements))('$section $field $input: the SDK differs from the fixture on purpose', ({ key, input, normalized, kind, options }) => {
    const { sdk, why } = disagreements[key]!;
    expect(expectedOf(normalized), 'the fixture now agrees with the SDK: remove this disagreement').not.toBe(sdk);
    expect(normalizers[kind]!(input, options), why).toBe(sdk);
    expect(hashForMatching(kind, input, options)).toBe(sdk === undefined ? undefined : sha256Hex(sdk));
  });
});
