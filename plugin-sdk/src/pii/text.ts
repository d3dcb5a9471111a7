/** Characters that are invisible but still change a hash: zero-width space, word joiner, byte-order mark. */
const INVISIBLE = /[\u200B\u2060\uFEFF]/g;

/**
 * The string in `value`, Unicode-normalised (`NFKC` folds full-width `ａ＠ｂ．ｃｏｍ` into ASCII), without
 * invisible characters and trimmed; `undefined` when `value` is not a string or nothing is left.
 */
export function readText(value: unknown, form: 'NFKC' | 'NFKD' = 'NFKC'): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.normalize(form).replace(INVISIBLE, '').trim();
  return text === '' ? undefined : text;
}

/**
 * Removes the combining accents of Latin, Greek and Cyrillic letters (`é` → `e`) and recomposes the rest.
 * Only U+0300–U+036F: the marks of other scripts (Devanagari vowel signs, kana voicing marks) are part
 * of the letter, and Hangul syllables must come back whole after `NFKD` splits them.
 */
export function stripDiacritics(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').normalize('NFC');
}
