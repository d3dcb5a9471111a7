/**
 * The canonical form of a number: what `Number` reads once spaces and thousands commas are gone.
 *
 * @example
 * canonicalNumber(' 1,250.50 ') // '1250.5'
 * canonicalNumber('n/a') // undefined
 */
export function canonicalNumber(raw: string): string | undefined {
  const text = raw.replace(/[\s,]/g, '');
  if (text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? String(value) : undefined;
}

/**
 * Numeric closeness of two canonical numbers: 1 − |a − b| / scale, floored at 0. Without a
 * scale the difference is taken relative to the larger magnitude.
 *
 * @example
 * numericSimilarity('42', '44', 10) // 0.8
 * numericSimilarity('100', '90') // 0.9
 */
export function numericSimilarity(a: string, b: string, scale?: number): number {
  const [x, y] = [Number(a), Number(b)];
  if (x === y) return 1;
  const range = scale ?? Math.max(Math.abs(x), Math.abs(y));
  return Math.max(0, 1 - Math.abs(x - y) / range);
}
