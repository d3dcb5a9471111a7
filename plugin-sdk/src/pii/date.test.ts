import { describe, expect, it } from 'vitest';
import { normalizeDate } from './date.js';

describe('normalizeDate', () => {
  it('keeps an ISO 8601 date', () => {
    expect(normalizeDate('1990-05-17')).toBe('1990-05-17');
  });

  it('takes the date of an ISO 8601 date-time as written, whatever its offset', () => {
    expect(normalizeDate('1990-05-17T23:30:00-08:00')).toBe('1990-05-17');
    expect(normalizeDate('1990-05-17T00:30:00.000+14:00')).toBe('1990-05-17');
    expect(normalizeDate('1990-05-17 10:00')).toBe('1990-05-17');
  });

  it('reads YYYYMMDD, YYYY/MM/DD and YYYY年M月D日', () => {
    expect(normalizeDate('19900517')).toBe('1990-05-17');
    expect(normalizeDate('1990/5/17')).toBe('1990-05-17');
    expect(normalizeDate('1990.05.17')).toBe('1990-05-17');
    expect(normalizeDate('1990年5月17日')).toBe('1990-05-17');
  });

  it('reads a date with the year last as day first', () => {
    expect(normalizeDate('17/05/1990')).toBe('1990-05-17');
    expect(normalizeDate('05/06/1990')).toBe('1990-06-05');
    expect(normalizeDate('7.5.1990')).toBe('1990-05-07');
    expect(normalizeDate('17-05-1990')).toBe('1990-05-17');
  });

  it('refuses a US month-first date rather than swapping day and month', () => {
    expect(normalizeDate('05/17/1990')).toBeUndefined();
  });

  it('gives the UTC date of a Date', () => {
    expect(normalizeDate(new Date('1990-05-17'))).toBe('1990-05-17');
    expect(normalizeDate(new Date(Date.UTC(1990, 4, 17, 23, 59)))).toBe('1990-05-17');
  });

  it('accepts 29 February in a leap year only', () => {
    expect(normalizeDate('2000-02-29')).toBe('2000-02-29');
    expect(normalizeDate('2024-02-29')).toBe('2024-02-29');
    expect(normalizeDate('1900-02-29')).toBeUndefined();
    expect(normalizeDate('2023-02-29')).toBeUndefined();
  });

  it('writes YYYYMMDD with dateFormat yyyymmdd', () => {
    expect(normalizeDate('17/05/1990', { dateFormat: 'yyyymmdd' })).toBe('19900517');
  });

  it('folds full-width digits', () => {
    expect(normalizeDate('１９９０－０５－１７')).toBe('1990-05-17');
  });

  it.each([
    ['30 February', '1990-02-30'],
    ['31 April', '31/04/1990'],
    ['month 13', '1990-13-01'],
    ['day 0', '19900500'],
    ['year 0', '0000-01-01'],
    ['an impossible time', '1990-05-17T25:00:00Z'],
    ['a mixed separator', '1990-05/17'],
    ['a two-digit year', '17/05/90'],
    ['words', 'next Tuesday'],
    ['an empty string', ''],
    ['an invalid Date', new Date('nope')],
    ['a number', 19900517],
    ['null', null],
  ])('answers undefined for %s', (_, value) => {
    expect(normalizeDate(value)).toBeUndefined();
  });
});
