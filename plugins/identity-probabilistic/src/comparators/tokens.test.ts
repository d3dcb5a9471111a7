import { describe, expect, it } from 'vitest';
import { tokenSimilarity } from './tokens.js';

describe('tokenSimilarity', () => {
  it('ignores word order', () => {
    expect(tokenSimilarity('stanley street', 'street stanley')).toBe(1);
  });

  it('stays close for a typo in one word', () => {
    expect(tokenSimilarity('stanley street', 'stanley setreet')).toBeGreaterThan(0.9);
  });

  it('stays close for an extra word', () => {
    expect(tokenSimilarity('stanley street', 'unit stanley street')).toBeGreaterThan(0.8);
  });

  it('is low for different streets that share only the street type', () => {
    expect(tokenSimilarity('pinkerton circuit', 'salkauskas crescent')).toBeLessThan(0.8);
  });
});
