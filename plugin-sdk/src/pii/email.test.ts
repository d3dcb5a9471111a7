import { describe, expect, it } from 'vitest';
import { normalizeEmail } from './email.js';

describe('normalizeEmail', () => {
  it('trims and lower-cases an address', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM \n')).toBe('ada.lovelace@example.com');
  });

  it('keeps dots and +tags outside Gmail, and inside Gmail unless asked', () => {
    expect(normalizeEmail('first.last+news@example.com', { canonicalizeGmail: true })).toBe('first.last+news@example.com');
    expect(normalizeEmail('j.o.h.n+alias@gmail.com')).toBe('j.o.h.n+alias@gmail.com');
  });

  it('drops dots and the +tag of a Gmail address, and writes googlemail.com as gmail.com, with canonicalizeGmail', () => {
    expect(normalizeEmail('J.O.H.N+alias@Gmail.com', { canonicalizeGmail: true })).toBe('john@gmail.com');
    expect(normalizeEmail('j.o.h.n+a+b@googlemail.com', { canonicalizeGmail: true })).toBe('john@gmail.com');
  });

  it('refuses a Gmail address whose mailbox is nothing but dots and a tag', () => {
    expect(normalizeEmail('.+tag@gmail.com', { canonicalizeGmail: true })).toBeUndefined();
  });

  it('folds full-width characters typed with a CJK input method', () => {
    expect(normalizeEmail('ｔｅｓｔ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('test@example.com');
  });

  it('removes invisible zero-width characters pasted with an address', () => {
    expect(normalizeEmail('\uFEFFada@\u200Bexample.com')).toBe('ada@example.com');
  });

  it('keeps a non-ASCII domain as written (lower-cased), without converting it to punycode', () => {
    expect(normalizeEmail('李@例子.中国')).toBe('李@例子.中国');
  });

  it.each([
    ['an empty string', ''],
    ['whitespace', '   '],
    ['no @', 'ada.example.com'],
    ['two @', 'ada@home@example.com'],
    ['an empty local part', '@example.com'],
    ['a domain without a dot', 'ada@localhost'],
    ['an empty domain label', 'ada@example..com'],
    ['a domain ending in a dot', 'ada@example.com.'],
    ['a space inside', 'ada lovelace@example.com'],
    ['a number', 42],
    ['null', null],
    ['an object', { email: 'ada@example.com' }],
  ])('answers undefined for %s', (_, value) => {
    expect(normalizeEmail(value)).toBeUndefined();
  });
});
