import { describe, expect, it } from 'vitest';
import { canonicalNumber, numericSimilarity } from './numbers.js';

describe('canonicalNumber', () => {
  it('reads numbers with spaces and thousands commas', () => {
    expect(canonicalNumber(' 1,250.50 ')).toBe('1250.5');
    expect(canonicalNumber('42')).toBe('42');
  });

  it('refuses what is not a number', () => {
    expect(canonicalNumber('n/a')).toBeUndefined();
    expect(canonicalNumber('  ')).toBeUndefined();
  });
});

describe('numericSimilarity', () => {
  it('falls linearly to 0 over the scale', () => {
    expect(numericSimilarity('42', '44', 10)).toBeCloseTo(0.8, 10);
    expect(numericSimilarity('42', '60', 10)).toBe(0);
  });

  it('compares relative to the larger magnitude without a scale', () => {
    expect(numericSimilarity('100', '90')).toBeCloseTo(0.9, 10);
    expect(numericSimilarity('7', '7')).toBe(1);
  });
});
