import { describe, expect, it } from 'vitest';
import { linkageQuality } from './quality.js';

describe('linkageQuality', () => {
  it('counts pairs in either order as the same link', () => {
    expect(linkageQuality([['a', 'b'], ['a', 'c']], [['b', 'a']])).toEqual({ truePositives: 1, falsePositives: 1, falseNegatives: 0, precision: 0.5, recall: 1, f1: 2 / 3 });
  });

  it('gives precision 1 when nothing is predicted, and F1 0 when nothing is right', () => {
    expect(linkageQuality([], [['a', 'b']])).toMatchObject({ precision: 1, recall: 0, f1: 0 });
    expect(linkageQuality([['a', 'c']], [['a', 'b']])).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });
});
