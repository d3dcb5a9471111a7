import type { MatchRecord, MatchScore } from '@weft/plugin-sdk';
import { candidatePairs } from './blocking.js';
import type { ResolverConfig, ResolverConfigInput } from './config.js';
import { createMatcher } from './matcher.js';

export interface LinkOptions {
  /** The resolver config (defaults for people when left out). */
  config?: ResolverConfigInput | ResolverConfig;
  /** What `trainModel` returned; the untrained model from the config when left out. */
  model?: unknown;
  /** Lowest probability of a pair to return (default: the review threshold, so links and reviews). */
  minProbability?: number;
}

/** A candidate pair and its score; `left` and `right` are record ids. */
export interface ScoredPair {
  left: string;
  right: string;
  score: MatchScore;
}

export interface LinkResult {
  /** Pairs at or above `minProbability`, most probable first. */
  pairs: ScoredPair[];
  /** Pairs blocking yielded, and so how many were compared. */
  candidatePairs: number;
  /** Blocking keys skipped because more records than `maxBlockSize` shared them. */
  oversizedKeys: number;
}

/**
 * Batch linkage: blocks, compares every candidate pair, keeps the likely ones. With `right`
 * undefined it finds duplicates within `left`. What the host does per record, in one pass over
 * two lists; each kept pair carries its explanation (`score.fields`).
 *
 * @example
 * const model = trainModel(crm, shop);
 * const { pairs } = linkRecords(crm, shop, { model });
 * pairs.filter((pair) => pair.score.decision === 'link')
 */
export function linkRecords(left: readonly MatchRecord[], right?: readonly MatchRecord[], options: LinkOptions = {}): LinkResult {
  const matcher = createMatcher(options.config, options.model);
  const prepared = { left: left.map(matcher.prepare), right: right?.map(matcher.prepare) };
  const candidates = candidatePairs(prepared.left.map(matcher.blockingKeys), prepared.right?.map(matcher.blockingKeys), matcher.config.blocking.maxBlockSize);
  const other = prepared.right ?? prepared.left;
  // Comparing weights, not probabilities, in the loop: log-odds of the threshold.
  const minProbability = options.minProbability ?? matcher.config.thresholds.review;
  const minWeight = minProbability <= 0 ? -Infinity : minProbability >= 1 ? Infinity : Math.log2(minProbability / (1 - minProbability));
  const similarities = new Float64Array(matcher.fields.length);
  const levels = new Int8Array(matcher.fields.length);
  const pairs: ScoredPair[] = [];
  for (let p = 0; p < candidates.left.length; p++) {
    const [a, b] = [prepared.left[candidates.left[p]!]!, other[candidates.right[p]!]!];
    const weight = matcher.scorer.measure(a, b, similarities, levels);
    if (weight >= minWeight) pairs.push({ left: a.id, right: b.id, score: matcher.scorer.matchScore(weight, similarities, levels) });
  }
  pairs.sort((x, y) => y.score.weight - x.score.weight);
  return { pairs, candidatePairs: candidates.left.length, oversizedKeys: candidates.oversizedKeys };
}
