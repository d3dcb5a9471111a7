import { jaroWinkler } from './strings.js';

/**
 * Token-aware similarity for multi-word values such as addresses (symmetric Monge–Elkan): each
 * word is matched with its most similar word on the other side by Jaro–Winkler, and the scores
 * averaged both ways. Reordered words, a typo in one word and an extra word all stay close.
 *
 * @example
 * tokenSimilarity('stanley street', 'stanley street') // 1
 * tokenSimilarity('stanley street', 'street stanley') // 1 (word order does not matter)
 * tokenSimilarity('stanley street', 'stanley setreet') // 0.94…
 */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const [left, right] = [a.split(' '), b.split(' ')];
  return (bestMatchAverage(left, right) + bestMatchAverage(right, left)) / 2;
}

function bestMatchAverage(tokens: string[], others: string[]): number {
  let total = 0;
  for (const token of tokens) {
    let best = 0;
    for (const other of others) {
      best = Math.max(best, jaroWinkler(token, other));
      if (best === 1) break;
    }
    total += best;
  }
  return total / tokens.length;
}
