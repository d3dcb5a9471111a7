/**
 * Dates of birth compared as the mistakes people make when typing them: the same date, day and
 * month swapped, one digit wrong, only the year in common.
 */

/** Similarity of each outcome; the default comparison levels are these values. */
export const dateSimilarities = { exact: 1, transposed: 0.9, oneDigit: 0.8, sameYear: 0.5, different: 0 } as const;

const isoDate = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/;

/**
 * The canonical form of a date: `yyyymmdd`, or `yyyy` when only the year is known. Reads ISO
 * dates and date-times (`1990-05-17`, `1990-5-17`, `1990-05-17T00:00:00Z`), `yyyymmdd` and a
 * bare year; anything else is not a date it can compare (`undefined`). Impossible days such as
 * the 33rd are kept, since a typo is exactly what the comparator must see.
 *
 * @example
 * canonicalDate('1990-5-17') // '19900517'
 * canonicalDate('19571233') // '19571233'
 * canonicalDate('17/05/1990') // undefined (day-first or month-first? it cannot tell)
 */
export function canonicalDate(raw: string): string | undefined {
  const text = raw.trim();
  if (/^\d{8}$/.test(text) || /^\d{4}$/.test(text)) return text;
  const parts = isoDate.exec(text);
  if (!parts) return undefined;
  return `${parts[1]}${parts[2]!.padStart(2, '0')}${parts[3]!.padStart(2, '0')}`;
}

/**
 * Compares two canonical dates (see `canonicalDate`).
 *
 * @example
 * dateSimilarity('19151111', '19151111') // 1    exact
 * dateSimilarity('19840503', '19840305') // 0.9  day and month transposed
 * dateSimilarity('19841005', '19841905') // 0.8  one digit off
 * dateSimilarity('19505309', '19550309') // 0.8  two adjacent digits swapped
 * dateSimilarity('19840803', '1984')     // 0.5  only the year in common
 */
export function dateSimilarity(a: string, b: string): number {
  if (a === b) return dateSimilarities.exact;
  if (a.length === 8 && b.length === 8) {
    if (a.slice(0, 4) === b.slice(0, 4) && a.slice(4, 6) === b.slice(6, 8) && a.slice(6, 8) === b.slice(4, 6)) return dateSimilarities.transposed;
    if (oneDigitApart(a, b)) return dateSimilarities.oneDigit;
  }
  return a.slice(0, 4) === b.slice(0, 4) ? dateSimilarities.sameYear : dateSimilarities.different;
}

/** One digit replaced, or two neighbouring digits swapped. */
function oneDigitApart(a: string, b: string): boolean {
  const differing: number[] = [];
  for (let i = 0; i < a.length && differing.length <= 2; i++) if (a[i] !== b[i]) differing.push(i);
  if (differing.length === 1) return true;
  const [first, second] = differing;
  return differing.length === 2 && second === first! + 1 && a[first!] === b[second!] && a[second!] === b[first!];
}
