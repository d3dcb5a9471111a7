import { describe, expect, it } from 'vitest';
import type { MatchScore } from '@weft/plugin-sdk';
import { explainScore } from './explain.js';

const score: MatchScore = {
  weight: 10.12,
  probability: 0.99911,
  decision: 'link',
  fields: [
    { field: 'lastName', comparator: 'jaro-winkler', similarity: 0.96, level: 'close', weight: 6.8 },
    { field: 'address2', comparator: 'jaro-winkler', similarity: null, level: 'missing', weight: 0 },
    { field: 'birthDate', comparator: 'date', similarity: 1, level: 'exact', weight: 14.51 },
    { field: 'postcode', comparator: 'levenshtein', similarity: 0, level: 'different', weight: -3.3 },
  ],
};

describe('explainScore', () => {
  it('shows the decision, then every field, strongest evidence first', () => {
    expect(explainScore(score, -12.29)).toBe(
      [
        'link: probability 0.9991, weight 10.12 bits (prior −12.29)',
        '  birthDate  date          1.0000  exact       +14.51',
        '  lastName   jaro-winkler  0.9600  close        +6.80',
        '  postcode   levenshtein   0.0000  different    −3.30',
        '  address2   jaro-winkler  —       missing       0.00',
      ].join('\n'),
    );
  });
});
