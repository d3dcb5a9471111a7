/**
 * Folds text for comparison: Unicode compatibility forms, no accents, lower case, every run of
 * punctuation or spaces turned into one space. Letters of every script are kept.
 *
 * @example
 * normaliseText("  O'Brien-Smith ") // 'o brien smith'
 * normaliseText('Zoë') // 'zoe'
 */
export function normaliseText(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
