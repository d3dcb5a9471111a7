import { readText } from './text.js';

export interface NormalizeDateOptions {
  /** `yyyy-mm-dd` (default, ISO 8601) or `yyyymmdd`, the form Meta's custom audiences want for a birth date. */
  dateFormat?: 'yyyy-mm-dd' | 'yyyymmdd';
}

const YEAR_FIRST = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ]/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const DAY_FIRST = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/;
const CHINESE = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A calendar date as `YYYY-MM-DD`, or `undefined` when the value is not a real date (`1990-02-30`).
 * Reads ISO 8601 dates and date-times (the date as written; a time and offset never move a
 * birthday), `YYYYMMDD`, `YYYY/MM/DD`, `YYYY年M月D日`, and `DD/MM/YYYY` (also with `-` or `.`).
 * Slash dates with the year last are taken **day first**, as outside the US: `05/06/1990` is 5 June,
 * and the US `05/17/1990` is `undefined`. A `Date` gives its UTC date.
 *
 * @example
 * normalizeDate('1990-05-17T23:30:00-08:00') // '1990-05-17'
 * normalizeDate('17/05/1990') // '1990-05-17'
 * normalizeDate('19900517', { dateFormat: 'yyyymmdd' }) // '19900517'
 * normalizeDate('1990-02-30') // undefined
 */
export function normalizeDate(value: unknown, options: NormalizeDateOptions = {}): string | undefined {
  const parts = value instanceof Date ? partsOfDate(value) : partsOfText(readText(value));
  if (!parts || !isRealDate(parts)) return undefined;
  const [year, month, day] = parts.map((part, index) => String(part).padStart(index === 0 ? 4 : 2, '0'));
  return options.dateFormat === 'yyyymmdd' ? `${year}${month}${day}` : `${year}-${month}-${day}`;
}

type DateParts = [year: number, month: number, day: number];

function partsOfDate(date: Date): DateParts | undefined {
  if (Number.isNaN(date.getTime())) return undefined;
  return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
}

function partsOfText(text: string | undefined): DateParts | undefined {
  if (text === undefined) return undefined;
  let match = YEAR_FIRST.exec(text);
  if (match) return [Number(match[1]), Number(match[3]), Number(match[4])];
  match = COMPACT.exec(text) ?? CHINESE.exec(text);
  if (match) return [Number(match[1]), Number(match[2]), Number(match[3])];
  match = DAY_FIRST.exec(text);
  if (match) return [Number(match[4]), Number(match[3]), Number(match[1])];
  match = ISO_DATE_TIME.exec(text);
  // The time must be a real one too: '1990-05-17T25:00' is not a date-time.
  if (match && !Number.isNaN(Date.parse(text))) return [Number(match[1]), Number(match[2]), Number(match[3])];
  return undefined;
}

function isRealDate([year, month, day]: DateParts): boolean {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}
