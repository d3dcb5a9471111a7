import { describe, expect, it } from 'vitest';
import { exactSimilarity, jaro, jaroWinkler, levenshteinDistance, levenshteinSimilarity } from './strings.js';

describe('jaro', () => {
  it('matches the published values of Jaro (1989) and Winkler (1990)', () => {
    expect(jaro('martha', 'marhta')).toBeCloseTo(0.9444, 4);
    expect(jaro('dwayne', 'duane')).toBeCloseTo(0.8222, 4);
    expect(jaro('dixon', 'dicksonx')).toBeCloseTo(0.7667, 4);
  });

  it('is 1 for identical strings and 0 when nothing is in common or a side is empty', () => {
    expect(jaro('smith', 'smith')).toBe(1);
    expect(jaro('abc', 'xyz')).toBe(0);
    expect(jaro('', 'abc')).toBe(0);
  });
});

describe('jaroWinkler', () => {
  it('boosts a common prefix of up to four characters', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 4);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
  });

  it('is symmetric', () => {
    expect(jaroWinkler('neumann', 'newman')).toBe(jaroWinkler('newman', 'neumann'));
  });

  it('leaves dissimilar strings sharing an initial unboosted', () => {
    expect(jaroWinkler('michaela', 'mo')).toBe(jaro('michaela', 'mo'));
  });
});

describe('levenshtein', () => {
  it('counts the fewest insertions, deletions and substitutions', () => {
    expect(levenshteinDistance('kitten', 'sitting')).toBe(3);
    expect(levenshteinDistance('flaw', 'lawn')).toBe(2);
    expect(levenshteinDistance('', 'abc')).toBe(3);
    expect(levenshteinDistance('same', 'same')).toBe(0);
  });

  it('normalises by the longer string', () => {
    expect(levenshteinSimilarity('kitten', 'sitting')).toBeCloseTo(4 / 7, 10);
    expect(levenshteinSimilarity('4223', '4233')).toBe(0.75);
    expect(levenshteinSimilarity('', '')).toBe(1);
  });
});

describe('exactSimilarity', () => {
  it('is 1 for equal values and 0 otherwise', () => {
    expect(exactSimilarity('nsw', 'nsw')).toBe(1);
    expect(exactSimilarity('nsw', 'vic')).toBe(0);
  });
});
