import { describe, expect, it } from 'vitest';
import { soundex } from './phonetic.js';

describe('soundex', () => {
  it('matches the reference codes of the American Soundex', () => {
    expect(soundex('robert')).toBe('r163');
    expect(soundex('rupert')).toBe('r163');
    expect(soundex('rubin')).toBe('r150');
    expect(soundex('ashcraft')).toBe('a261');
    expect(soundex('tymczak')).toBe('t522');
    expect(soundex('pfister')).toBe('p236');
    expect(soundex('honeyman')).toBe('h555');
  });

  it('gives a surname and its one-letter typo the same code', () => {
    expect(soundex('neumann')).toBe(soundex('neuman'));
  });

  it('is empty for a value without Latin letters', () => {
    expect(soundex('王小明')).toBe('');
  });
});
