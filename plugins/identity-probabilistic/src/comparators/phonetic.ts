const codes: Record<string, string> = {
  b: '1', f: '1', p: '1', v: '1',
  c: '2', g: '2', j: '2', k: '2', q: '2', s: '2', x: '2', z: '2',
  d: '3', t: '3',
  l: '4',
  m: '5', n: '5',
  r: '6',
};

/**
 * American Soundex of the Latin letters in a name: its first letter and three digits coding the
 * consonants that follow, so names that sound alike (and many one-letter typos) share a code.
 * Returns `''` when the value has no Latin letter (callers fall back to the value itself).
 *
 * @example
 * soundex('robert') // 'r163'
 * soundex('rupert') // 'r163'
 * soundex('tymczak') // 't522'
 */
export function soundex(value: string): string {
  const letters = value.toLowerCase().replace(/[^a-z]/g, '');
  if (letters.length === 0) return '';
  let code = letters[0]!;
  let previous = codes[code] ?? '';
  for (let i = 1; i < letters.length && code.length < 4; i++) {
    const letter = letters[i]!;
    const digit = codes[letter];
    if (digit !== undefined && digit !== previous) code += digit;
    // h and w do not separate two letters with the same code; vowels do.
    if (letter !== 'h' && letter !== 'w') previous = digit ?? '';
  }
  return code.padEnd(4, '0');
}
