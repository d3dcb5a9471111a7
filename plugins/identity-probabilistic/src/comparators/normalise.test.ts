import { describe, expect, it } from 'vitest';
import { normaliseText } from './normalise.js';

describe('normaliseText', () => {
  it('lower-cases, strips accents and turns punctuation into single spaces', () => {
    expect(normaliseText("  O'Brien-Smith ")).toBe('o brien smith');
    expect(normaliseText('Zoë  Łódź')).toBe('zoe łodz');
  });

  it('keeps letters of every script', () => {
    expect(normaliseText('王 小明')).toBe('王 小明');
  });
});
