import { describe, expect, it } from 'vitest';
import { canonicalDate, dateSimilarity } from './dates.js';

describe('canonicalDate', () => {
  it('reads ISO dates, date-times, yyyymmdd and a bare year', () => {
    expect(canonicalDate('1990-05-17')).toBe('19900517');
    expect(canonicalDate('1990-5-7')).toBe('19900507');
    expect(canonicalDate('1990-05-17T08:30:00.000Z')).toBe('19900517');
    expect(canonicalDate(' 19151111 ')).toBe('19151111');
    expect(canonicalDate('1990')).toBe('1990');
  });

  it('keeps an impossible day, since the typo is what the comparator weighs', () => {
    expect(canonicalDate('19571233')).toBe('19571233');
  });

  it('refuses dates it cannot read without guessing the order', () => {
    expect(canonicalDate('17/05/1990')).toBeUndefined();
    expect(canonicalDate('soon')).toBeUndefined();
  });
});

describe('dateSimilarity', () => {
  it('is 1 for the same date', () => {
    expect(dateSimilarity('19151111', '19151111')).toBe(1);
  });

  it('recognises day and month transposed', () => {
    expect(dateSimilarity('19840503', '19840305')).toBe(0.9);
  });

  it('recognises one digit off, and two neighbouring digits swapped', () => {
    expect(dateSimilarity('19841005', '19841905')).toBe(0.8);
    expect(dateSimilarity('19550309', '19505309')).toBe(0.8);
  });

  it('gives the year alone a lower similarity, also when one side knows only the year', () => {
    expect(dateSimilarity('19840803', '19841225')).toBe(0.5);
    expect(dateSimilarity('19840803', '1984')).toBe(0.5);
  });

  it('is 0 for different years and several digits off', () => {
    expect(dateSimilarity('19660306', '19130629')).toBe(0);
  });
});
