import { readText, stripDiacritics } from './text.js';

/**
 * A person's name for matching: trimmed, whitespace collapsed, lower-cased, Latin accents removed
 * (`NFKD`: `Valéry` → `valery`, full-width letters folded), punctuation dropped except a hyphen or an
 * apostrophe between two letters (`Mary-Jane`, `O'Brien`; typographic `’` and dashes count as them).
 * Letters of every script and digits are kept. `undefined` when nothing is left.
 *
 * @example
 * normalizeName('  José   O’Brien-Smith, Jr. ') // "jose o'brien-smith jr"
 * normalizeName('张 伟') // '张 伟'
 * normalizeName(' ... ') // undefined
 */
export function normalizeName(value: unknown): string | undefined {
  const raw = typeof value === 'string' ? value.replace(/[\u2018\u2019\u02bc`]/g, "'").replace(/\p{Pd}/gu, '-') : value;
  const text = readText(raw, 'NFKD');
  if (text === undefined) return undefined;
  const name = stripDiacritics(text.toLowerCase())
    .replace(/[^\p{L}\p{M}\p{N}\s'-]/gu, '')
    .replace(/(?<![\p{L}\p{M}])['-]|['-](?![\p{L}])/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  return name === '' ? undefined : name;
}
