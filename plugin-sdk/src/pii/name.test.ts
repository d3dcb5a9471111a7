import { describe, expect, it } from 'vitest';
import { normalizeName } from './name.js';

describe('normalizeName', () => {
  it('trims, collapses whitespace and lower-cases', () => {
    expect(normalizeName('  Ada \t  Lovelace\n')).toBe('ada lovelace');
  });

  it('removes Latin accents', () => {
    expect(normalizeName('Valéry')).toBe('valery');
    expect(normalizeName('Zoë Ñúñez-Gonçalves')).toBe('zoe nunez-goncalves');
    expect(normalizeName('İlkay')).toBe('ilkay');
  });

  it('keeps a hyphen or an apostrophe between letters, in any of their typographic forms', () => {
    expect(normalizeName('Mary-Jane')).toBe('mary-jane');
    expect(normalizeName("O'Brien")).toBe("o'brien");
    expect(normalizeName('O’Brien')).toBe("o'brien");
    expect(normalizeName('Mary‐Jane')).toBe('mary-jane');
  });

  it('drops other punctuation, and a hyphen or apostrophe that is not inside a name', () => {
    expect(normalizeName('Smith, Jr.')).toBe('smith jr');
    expect(normalizeName("'Ada' - Lovelace-")).toBe('ada lovelace');
    expect(normalizeName('Dr. (Ada) Lovelace!')).toBe('dr ada lovelace');
  });

  it('keeps digits', () => {
    expect(normalizeName('John Smith1')).toBe('john smith1');
  });

  it('keeps Chinese, Korean, Japanese and Devanagari names whole', () => {
    expect(normalizeName('张伟')).toBe('张伟');
    expect(normalizeName('정')).toBe('정');
    expect(normalizeName('ガブリエル')).toBe('ガブリエル');
    expect(normalizeName('प्रिया')).toBe('प्रिया');
  });

  it('folds full-width letters and spaces', () => {
    expect(normalizeName('ＡＤＡ　ＬＯＶＥＬＡＣＥ')).toBe('ada lovelace');
  });

  it.each([
    ['an empty string', ''],
    ['whitespace', ' \t '],
    ['only punctuation', ' ... - '],
    ['a number', 7],
    ['null', null],
  ])('answers undefined for %s', (_, value) => {
    expect(normalizeName(value)).toBeUndefined();
  });
});
