import { canonicalDate, dateSimilarity } from './dates.js';
import { normaliseText } from './normalise.js';
import { canonicalNumber, numericSimilarity } from './numbers.js';
import { exactSimilarity, jaroWinkler, levenshteinSimilarity } from './strings.js';
import { tokenSimilarity } from './tokens.js';

export { canonicalDate, dateSimilarities, dateSimilarity } from './dates.js';
export { normaliseText } from './normalise.js';
export { canonicalNumber, numericSimilarity } from './numbers.js';
export { soundex } from './phonetic.js';
export { exactSimilarity, jaro, jaroWinkler, levenshteinDistance, levenshteinSimilarity } from './strings.js';
export { tokenSimilarity } from './tokens.js';

export const comparatorNames = ['jaro-winkler', 'levenshtein', 'tokens', 'exact', 'numeric', 'date'] as const;
export type ComparatorName = (typeof comparatorNames)[number];

/** How text is folded before a string comparator sees it. */
export const normaliserNames = ['text', 'digits', 'lowercase'] as const;
export type NormaliserName = (typeof normaliserNames)[number];

const normalisers: Record<NormaliserName, (raw: string) => string> = {
  text: normaliseText,
  digits: (raw) => raw.replace(/\D+/g, ''),
  lowercase: (raw) => raw.trim().toLowerCase(),
};

/** A comparator bound to its options: canonical form first, then similarity of two canonical forms. */
export interface Comparator {
  /** The form values are compared (and blocked) in; `undefined` when the raw value holds nothing comparable. */
  canonical(raw: string): string | undefined;
  /** 0 (different) … 1 (identical); always 1 when the canonical forms are equal. */
  similarity(a: string, b: string): number;
}

export interface ComparatorOptions {
  /** String comparators: how to fold text first (default `text`). */
  normalise?: NormaliserName;
  /** `numeric`: the difference at which similarity reaches 0 (default: relative to the larger value). */
  scale?: number;
}

/**
 * Builds a comparator by name.
 *
 * @example
 * const names = comparatorFor('jaro-winkler');
 * names.similarity(names.canonical('Martha')!, names.canonical('Marhta')!) // 0.9611…
 */
export function comparatorFor(name: ComparatorName, options: ComparatorOptions = {}): Comparator {
  const fold = normalisers[options.normalise ?? 'text'];
  const text = (raw: string) => fold(raw) || undefined;
  switch (name) {
    case 'jaro-winkler':
      return { canonical: text, similarity: jaroWinkler };
    case 'levenshtein':
      return { canonical: text, similarity: levenshteinSimilarity };
    case 'exact':
      return { canonical: text, similarity: exactSimilarity };
    case 'tokens':
      return { canonical: text, similarity: tokenSimilarity };
    case 'numeric':
      return { canonical: canonicalNumber, similarity: (a, b) => numericSimilarity(a, b, options.scale) };
    case 'date':
      return { canonical: canonicalDate, similarity: dateSimilarity };
  }
}
