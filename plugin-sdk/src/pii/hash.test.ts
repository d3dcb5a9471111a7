import { describe, expect, it } from 'vitest';
import { hashForMatching, isSha256Hex, sha256Hex } from './hash.js';

const TEST_AT_EXAMPLE = '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b'; // sha256('test@example.com')

describe('sha256Hex', () => {
  it('hashes the UTF-8 bytes into lower-case hex', () => {
    expect(sha256Hex('test@example.com')).toBe(TEST_AT_EXAMPLE);
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('isSha256Hex', () => {
  it('recognises 64 hex digits in either case', () => {
    expect(isSha256Hex(TEST_AT_EXAMPLE)).toBe(true);
    expect(isSha256Hex(TEST_AT_EXAMPLE.toUpperCase())).toBe(true);
  });

  it('refuses anything else', () => {
    expect(isSha256Hex(TEST_AT_EXAMPLE.slice(1))).toBe(false);
    expect(isSha256Hex(`${TEST_AT_EXAMPLE}0`)).toBe(false);
    expect(isSha256Hex(`${TEST_AT_EXAMPLE.slice(1)}g`)).toBe(false);
    expect(isSha256Hex(` ${TEST_AT_EXAMPLE}`)).toBe(false);
    expect(isSha256Hex('test@example.com')).toBe(false);
  });
});

describe('hashForMatching', () => {
  it('normalises before hashing', () => {
    expect(hashForMatching('email', '  Test@Example.COM ')).toBe(TEST_AT_EXAMPLE);
    expect(hashForMatching('name', ' Ada  LOVELACE ')).toBe(sha256Hex('ada lovelace'));
    expect(hashForMatching('date', '17/05/1990')).toBe(sha256Hex('1990-05-17'));
    expect(hashForMatching('country', 'USA')).toBe(sha256Hex('us'));
  });

  it('passes each kind its options', () => {
    expect(hashForMatching('email', 'j.o.h.n+x@googlemail.com', { canonicalizeGmail: true })).toBe(sha256Hex('john@gmail.com'));
    expect(hashForMatching('phone', '138 0013 8000', { defaultRegion: 'CN' })).toBe(sha256Hex('+8613800138000'));
    expect(hashForMatching('phone', '138 0013 8000', { defaultRegion: 'CN', phoneFormat: 'digits' })).toBe(sha256Hex('8613800138000'));
    expect(hashForMatching('date', '1990-05-17', { dateFormat: 'yyyymmdd' })).toBe(sha256Hex('19900517'));
  });

  it('returns an already hashed value as it is, never hashing it twice', () => {
    expect(hashForMatching('email', TEST_AT_EXAMPLE)).toBe(TEST_AT_EXAMPLE);
    expect(hashForMatching('phone', TEST_AT_EXAMPLE, { defaultRegion: 'CN' })).toBe(TEST_AT_EXAMPLE);
  });

  it('writes an already hashed value in lower case and without surrounding whitespace', () => {
    expect(hashForMatching('email', ` ${TEST_AT_EXAMPLE.toUpperCase()}\n`)).toBe(TEST_AT_EXAMPLE);
  });

  it('answers undefined when the value does not normalise', () => {
    expect(hashForMatching('email', 'not an address')).toBeUndefined();
    expect(hashForMatching('phone', '12345', { defaultRegion: 'CN' })).toBeUndefined();
    expect(hashForMatching('name', '   ')).toBeUndefined();
    expect(hashForMatching('country', undefined)).toBeUndefined();
  });

  it('throws for a kind it does not know, naming the ones it does', () => {
    // @ts-expect-error — a kind read from configuration is not checked by TypeScript
    expect(() => hashForMatching('zip', '94035')).toThrow("hashForMatching cannot normalise 'zip'; the kinds are email, phone, name, date, country");
    // @ts-expect-error — as above
    expect(() => hashForMatching('toString', 'x')).toThrow(TypeError);
  });
});
