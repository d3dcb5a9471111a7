/**
 * String similarities on already normalised text (see `normaliseText`), each 0 (nothing in
 * common) … 1 (identical).
 */

/**
 * Jaro similarity: the share of characters the two strings have in common within a window,
 * discounted for those out of order.
 *
 * @example
 * jaro('martha', 'marhta') // 0.9444…
 */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const [matchedA, matchedB] = [scratch(0, a.length), scratch(1, b.length)];
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const end = Math.min(i + window + 1, b.length);
    for (let j = Math.max(0, i - window); j < end; j++) {
      if (matchedB[j] === 0 && a.charCodeAt(i) === b.charCodeAt(j)) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  for (let i = 0, j = 0; i < a.length; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[j] === 0) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) outOfOrder++;
    j++;
  }
  return (matches / a.length + matches / b.length + (matches - outOfOrder / 2) / matches) / 3;
}

// Match flags reused across calls: comparisons run in tight loops over many pairs.
const buffers = [new Uint8Array(64), new Uint8Array(64)];

function scratch(which: 0 | 1, length: number): Uint8Array {
  if (buffers[which]!.length < length) buffers[which] = new Uint8Array(length * 2);
  return buffers[which]!.fill(0, 0, length);
}

/**
 * Jaro–Winkler similarity: Jaro, raised for a common prefix of up to four characters (scale
 * 0.1), as Winkler did for names, where typos are rarer at the start. The boost applies only
 * above a Jaro of 0.7, so unrelated strings sharing an initial are not pulled up.
 *
 * @example
 * jaroWinkler('martha', 'marhta') // 0.9611…
 * jaroWinkler('dwayne', 'duane') // 0.84
 */
export function jaroWinkler(a: string, b: string): number {
  const similarity = jaro(a, b);
  if (similarity <= 0.7) return similarity;
  const longest = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < longest && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return similarity + prefix * 0.1 * (1 - similarity);
}

/**
 * Levenshtein distance: the fewest single-character insertions, deletions and substitutions
 * turning one string into the other.
 *
 * @example
 * levenshteinDistance('kitten', 'sitting') // 3
 */
export function levenshteinDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = new Uint16Array(b.length + 1);
  let current = new Uint16Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/**
 * Levenshtein similarity normalised by the longer string: 1 − distance / longer length.
 *
 * @example
 * levenshteinSimilarity('kitten', 'sitting') // 0.5714… (3 edits over 7 characters)
 * levenshteinSimilarity('4223', '4233') // 0.75
 */
export function levenshteinSimilarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - levenshteinDistance(a, b) / longer;
}

/** 1 when the two values are equal, else 0. */
export function exactSimilarity(a: string, b: string): number {
  return a === b ? 1 : 0;
}
