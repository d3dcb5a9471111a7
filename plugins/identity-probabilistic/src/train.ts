import type { MatchRecord } from '@weft/plugin-sdk';
import { candidatePairs } from './blocking.js';
import type { ResolverConfig, ResolverConfigInput } from './config.js';
import { expectationMaximisation, type PatternCounts } from './em.js';
import { MISSING, type PreparedRecord } from './fields.js';
import { createMatcher, type Matcher } from './matcher.js';
import type { MatchModel } from './model.js';

/** Fixed, so training the same records twice gives the same model. */
const SAMPLE_SEED = 0x5eed;

/** Fewer candidate pairs with a field on both sides than this, and its estimates would be mostly guesswork. */
const MIN_OBSERVED_PAIRS = 10;

/**
 * Learns a match model from records. With `right` undefined the records are deduplicated among
 * themselves; with `right` it learns how the two lists link (each side free of duplicates or not).
 *
 * 1. Blocking yields the candidate pairs; each becomes a pattern of levels, one per field.
 * 2. u comes from random pairs, nearly all of them different people: the exact level from how
 *    often values repeat (precise even for rare values), the other levels from a sample.
 * 3. EM over the candidate patterns separates matches from non-matches, giving m and how many
 *    candidate pairs are matches; the prior is that number over all possible pairs.
 *
 * A field that fewer than ten candidate pairs both have (no phones yet, say) is left out of the
 * model, so it keeps its untrained m and u; with no candidate pairs at all the prior stays too.
 *
 * @example
 * const model = trainModel(profiles, undefined, { thresholds: { link: 0.97 } });
 * const { pairs } = linkRecords(profiles, undefined, { model });
 */
export function trainModel(left: readonly MatchRecord[], right?: readonly MatchRecord[], config: ResolverConfigInput | ResolverConfig = {}): MatchModel {
  const matcher = createMatcher(config);
  const prepared = { left: left.map(matcher.prepare), right: right?.map(matcher.prepare) };
  const candidates = candidatePairs(prepared.left.map(matcher.blockingKeys), prepared.right?.map(matcher.blockingKeys), matcher.config.blocking.maxBlockSize);
  const other = prepared.right ?? prepared.left;
  const totalPairs = prepared.right ? prepared.left.length * prepared.right.length : (prepared.left.length * (prepared.left.length - 1)) / 2;
  const sampled = Math.min(matcher.config.training.randomPairs, totalPairs);
  const u = randomPairU(matcher, prepared.left, prepared.right, sampled);

  const patterns = countPatterns(matcher, candidates.left.length, (p) => [prepared.left[candidates.left[p]!]!, other[candidates.right[p]!]!]);
  const m = matcher.fields.map((field) => field.levels.map((level) => matcher.model.fields[field.name]![level]!.m));
  const fitted = expectationMaximisation(patterns, { m, u, lambda: initialMatchShare(matcher, patterns) }, { maxIterations: matcher.config.training.maxIterations });

  const estimatedMatches = fitted.lambda * candidates.left.length;
  const fields = Object.fromEntries(
    matcher.fields.flatMap((field, f) =>
      observedPairs(patterns, f) < MIN_OBSERVED_PAIRS ? [] : [[field.name, Object.fromEntries(field.levels.map((level, l) => [level, { m: fitted.m[f]![l]!, u: u[f]![l]! }]))]],
    ),
  );
  return {
    version: 1,
    prior: candidates.left.length === 0 ? matcher.config.prior : Math.min(0.5, Math.max(1e-12, estimatedMatches / Math.max(1, totalPairs))),
    fields,
    training: {
      records: left.length + (right?.length ?? 0),
      candidatePairs: candidates.left.length,
      randomPairs: sampled,
      oversizedKeys: candidates.oversizedKeys,
      iterations: fitted.iterations,
      converged: fitted.converged,
      estimatedMatches: Math.round(estimatedMatches * 10) / 10,
    },
  };
}

/** Groups the measured pairs by their pattern of levels. */
function countPatterns(matcher: Matcher, pairCount: number, pairAt: (index: number) => [PreparedRecord, PreparedRecord]): PatternCounts {
  const fieldCount = matcher.fields.length;
  const similarities = new Float64Array(fieldCount);
  const levels = new Int8Array(fieldCount);
  const byPattern = new Map<string, { levels: Int8Array; count: number }>();
  for (let p = 0; p < pairCount; p++) {
    const [a, b] = pairAt(p);
    matcher.scorer.measure(a, b, similarities, levels);
    const key = levels.join(',');
    const seen = byPattern.get(key);
    if (seen) seen.count++;
    else byPattern.set(key, { levels: levels.slice(), count: 1 });
  }
  const entries = [...byPattern.values()];
  const patterns = new Int8Array(entries.length * fieldCount);
  entries.forEach((entry, index) => patterns.set(entry.levels, index * fieldCount));
  return { levelCounts: matcher.fields.map((field) => field.levels.length), patterns, counts: Float64Array.from(entries, (entry) => entry.count) };
}

/** Candidate pairs where both records have a value of field `f`. */
function observedPairs(data: PatternCounts, f: number): number {
  const fieldCount = data.levelCounts.length;
  let observed = 0;
  for (let p = 0; p < data.counts.length; p++) if (data.patterns[p * fieldCount + f] !== MISSING) observed += data.counts[p]!;
  return observed;
}

/** Where EM starts λ: the share of candidates whose fields, under the untrained model, favour a match. */
function initialMatchShare(matcher: Matcher, data: PatternCounts): number {
  const fieldCount = data.levelCounts.length;
  let likely = 0;
  let total = 0;
  for (let p = 0; p < data.counts.length; p++) {
    let weight = 0;
    for (let f = 0; f < fieldCount; f++) {
      const level = data.patterns[p * fieldCount + f]!;
      if (level !== MISSING) weight += matcher.scorer.weights[f]![level]!;
    }
    if (weight > 0) likely += data.counts[p]!;
    total += data.counts[p]!;
  }
  return Math.min(0.5, Math.max(0.001, likely / Math.max(1, total)));
}

/**
 * u per field and level from random pairs. A first level of `atLeast: 1` (exact) is counted
 * from value frequencies over all pairs; the other levels share the rest as the sample does.
 */
function randomPairU(matcher: Matcher, left: PreparedRecord[], right: PreparedRecord[] | undefined, sampled: number): number[][] {
  const fieldCount = matcher.fields.length;
  const tallies = matcher.fields.map((field) => new Array<number>(field.levels.length).fill(0.5));
  const similarities = new Float64Array(fieldCount);
  const levels = new Int8Array(fieldCount);
  const random = mulberry32(SAMPLE_SEED);
  const other = right ?? left;
  for (let s = 0; s < sampled; s++) {
    const i = Math.floor(random() * left.length);
    let j = Math.floor(random() * (right ? other.length : other.length - 1));
    if (!right && j >= i) j++;
    matcher.scorer.measure(left[i]!, other[j]!, similarities, levels);
    for (let f = 0; f < fieldCount; f++) if (levels[f] !== MISSING) tallies[f]![levels[f]!]!++;
  }
  return matcher.fields.map((_, f) => {
    const tally = tallies[f]!;
    if (matcher.config.fields[f]!.levels[0]!.atLeast < 1) return share(tally);
    const exact = exactAgreementRate(f, left, right);
    const rest = share(tally.slice(1)).map((value) => value * (1 - exact));
    return [exact, ...rest];
  });
}

/** How often two random records have the same (first) value of a field. */
function exactAgreementRate(f: number, left: PreparedRecord[], right: PreparedRecord[] | undefined): number {
  const countValues = (records: PreparedRecord[]) => {
    const counts = new Map<string, number>();
    for (const record of records) {
      const value = record.values[f]![0];
      if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return counts;
  };
  const leftCounts = countValues(left);
  const leftTotal = sum(leftCounts.values());
  let agreeing = 0;
  let pairs: number;
  if (right) {
    const rightCounts = countValues(right);
    for (const [value, count] of leftCounts) agreeing += count * (rightCounts.get(value) ?? 0);
    pairs = leftTotal * sum(rightCounts.values());
  } else {
    for (const count of leftCounts.values()) agreeing += count * (count - 1);
    pairs = leftTotal * (leftTotal - 1);
  }
  // Half a pair's worth when no two records agree, so the weight stays finite.
  return pairs === 0 ? 0.01 : Math.min(0.99, Math.max(agreeing, 0.5) / pairs);
}

function share(tally: number[]): number[] {
  const total = sum(tally);
  return tally.map((count) => count / total);
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** A small seeded PRNG (Mulberry32): the sample is the same on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
