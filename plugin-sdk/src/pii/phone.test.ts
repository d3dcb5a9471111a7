import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { isPhoneRegion, normalizePhone } from './phone.js';

describe('normalizePhone', () => {
  describe('Chinese mobile numbers', () => {
    it('reads a national number with the CN default region', () => {
      expect(normalizePhone('13800138000', { defaultRegion: 'CN' })).toBe('+8613800138000');
      expect(normalizePhone('138 0013 8000', { defaultRegion: 'CN' })).toBe('+8613800138000');
      expect(normalizePhone('138-0013-8000', { defaultRegion: 'CN' })).toBe('+8613800138000');
    });

    it('reads +86, 0086 and 86 without a plus', () => {
      expect(normalizePhone('+86 138 0013 8000')).toBe('+8613800138000');
      expect(normalizePhone('0086 138 0013 8000')).toBe('+8613800138000');
      expect(normalizePhone('8613800138000', { defaultRegion: 'CN' })).toBe('+8613800138000');
    });

    it('reads +86 whatever the default region is', () => {
      expect(normalizePhone('+86 138 0013 8000', { defaultRegion: 'US' })).toBe('+8613800138000');
    });

    it('reads 00 as the international prefix even from a region that dials 011', () => {
      expect(normalizePhone('0086 138 0013 8000', { defaultRegion: 'US' })).toBe('+8613800138000');
    });

    it('reads full-width digits and plus', () => {
      expect(normalizePhone('＋８６ １３８ ００１３ ８０００')).toBe('+8613800138000');
    });

    it('refuses a mobile number one digit short', () => {
      expect(normalizePhone('1380013800', { defaultRegion: 'CN' })).toBeUndefined();
      expect(normalizePhone('+86 138 0013 800')).toBeUndefined();
    });
  });

  describe('US numbers', () => {
    it('reads national formats with the US default region', () => {
      expect(normalizePhone('(650) 253-0000', { defaultRegion: 'US' })).toBe('+16502530000');
      expect(normalizePhone('650.253.0000', { defaultRegion: 'US' })).toBe('+16502530000');
      expect(normalizePhone('1 650 253 0000', { defaultRegion: 'US' })).toBe('+16502530000');
    });

    it('reads the US international prefix 011', () => {
      expect(normalizePhone('011 44 20 7946 0958', { defaultRegion: 'US' })).toBe('+442079460958');
    });

    it('refuses a number libphonenumber-js knows cannot exist (area code 555)', () => {
      expect(normalizePhone('+1 555 555 5555')).toBeUndefined();
    });
  });

  it('reads the same digits by the default region given: 912 382 193 is a Portuguese mobile', () => {
    expect(normalizePhone('912 382 193', { defaultRegion: 'PT' })).toBe('+351912382193');
    expect(normalizePhone('912 382 193', { defaultRegion: 'IN' })).toBeUndefined();
  });

  it('answers a number read before as it did the first time, by region and format', () => {
    for (let round = 0; round < 3; round++) {
      expect(normalizePhone('912 382 193', { defaultRegion: 'IN' })).toBeUndefined();
      expect(normalizePhone('912 382 193', { defaultRegion: 'PT' })).toBe('+351912382193');
      expect(normalizePhone('912 382 193', { defaultRegion: 'PT', phoneFormat: 'digits' })).toBe('351912382193');
      expect(normalizePhone('912 382 193')).toBeUndefined();
    }
  });

  it('reads each of more numbers than it remembers correctly, and again after they are forgotten', () => {
    const number = (n: number) => `139${String(n).padStart(8, '0')}`;
    for (const pass of [1, 2]) {
      for (let n = 0; n < 12_000; n += 1) expect(normalizePhone(number(n), { defaultRegion: 'CN' }), `pass ${pass}, ${number(n)}`).toBe(`+86${number(n)}`);
    }
  });

  it('reads a UK number written with the (0) trunk prefix', () => {
    expect(normalizePhone('+44 (0)20 7946 0958')).toBe('+442079460958');
  });

  it('accepts numbers as number values', () => {
    expect(normalizePhone(13800138000, { defaultRegion: 'CN' })).toBe('+8613800138000');
    expect(normalizePhone(8613800138000, { defaultRegion: 'CN' })).toBe('+8613800138000');
  });

  it('refuses numbers that cannot be phone numbers', () => {
    expect(normalizePhone(138.5, { defaultRegion: 'CN' })).toBeUndefined();
    expect(normalizePhone(-13800138000, { defaultRegion: 'CN' })).toBeUndefined();
    expect(normalizePhone(Number.NaN, { defaultRegion: 'CN' })).toBeUndefined();
  });

  it('answers digits without the plus with phoneFormat digits', () => {
    expect(normalizePhone('+86 138 0013 8000', { phoneFormat: 'digits' })).toBe('8613800138000');
  });

  it('never guesses a country for a national number without a default region', () => {
    expect(normalizePhone('13800138000')).toBeUndefined();
    expect(normalizePhone('6502530000')).toBeUndefined();
  });

  it.each([
    ['an empty string', ''],
    ['only separators', '  -  '],
    ['letters', 'call me'],
    ['a number followed by text', '+1 650 253 0000 after 6pm'],
    ['an extension', '+1 650 253 0000 ext. 12'],
    ['a plus in the middle', '86+13800138000'],
    ['too few digits', '12345'],
    ['null', null],
    ['an object', { phone: '+8613800138000' }],
  ])('answers undefined for %s', (_, value) => {
    expect(normalizePhone(value, { defaultRegion: 'CN' })).toBeUndefined();
  });

  it('throws a ConfigError naming an unknown default region', () => {
    // @ts-expect-error — a region read from a connector's config is not checked by TypeScript
    expect(() => normalizePhone('13800138000', { defaultRegion: 'XX' })).toThrow(ConfigError);
    // @ts-expect-error — as above
    expect(() => normalizePhone('13800138000', { defaultRegion: 'cn' })).toThrow("defaultRegion 'cn' is not a region");
  });
});

describe('isPhoneRegion', () => {
  it('accepts the region codes libphonenumber-js knows, in upper case', () => {
    expect(['CN', 'US', 'GB', 'AC'].map(isPhoneRegion)).toEqual([true, true, true, true]);
  });

  it('refuses anything else', () => {
    expect(['ZZ', 'cn', 'CHN', '', 86, undefined].map(isPhoneRegion)).toEqual([false, false, false, false, false, false]);
  });
});
