import { MISSING } from './fields.js';

/** Distinct comparison patterns (one level per field, or MISSING) and how many pairs showed each. */
export interface PatternCounts {
  /** Levels per field. */
  levelCounts: readonly number[];
  /** Patterns, flattened: pattern p, field f at `p * levelCounts.length + f`. */
  patterns: Int8Array;
  counts: Float64Array;
}

export interface MixtureParameters {
  /** Per field, per level: P(level | match). */
  m: number[][];
  /** Per field, per level: P(level | non-match). */
  u: number[][];
  /** Share of the pairs that are matches. */
  lambda: number;
}

export interface EmResult extends MixtureParameters {
  iterations: number;
  converged: boolean;
}

export interface EmOptions {
  maxIterations: number;
  /** Stop once no parameter moves by more than this (default 1e-6). */
  tolerance?: number;
}

/** Keeps rare levels away from 0 (an m or u of 0 would be an infinite weight). */
const PSEUDO_COUNT = 0.1;

/**
 * Expectation–Maximisation for the Fellegi–Sunter mixture: the pairs are a blend of matches and
 * non-matches, fields independent given which. Each round weighs every pattern by the chance it
 * is a match under the current m, u and λ, then re-estimates them from those weights. Missing
 * fields are left out of both steps.
 *
 * @example
 * const fitted = expectationMaximisation(patternCounts, { m, u, lambda: 0.1 }, { maxIterations: 100 });
 */
export function expectationMaximisation(data: PatternCounts, start: MixtureParameters, options: EmOptions): EmResult {
  const fieldCount = data.levelCounts.length;
  const patternCount = data.counts.length;
  const total = data.counts.reduce((sum, count) => sum + count, 0);
  const tolerance = options.tolerance ?? 1e-6;
  let current = { m: start.m.map((row) => [...row]), u: start.u.map((row) => [...row]), lambda: start.lambda };
  if (total === 0) return { ...current, iterations: 0, converged: false };
  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    const logM = current.m.map((row) => row.map(Math.log));
    const logU = current.u.map((row) => row.map(Math.log));
    const matchMass = data.levelCounts.map((levels) => new Array<number>(levels).fill(PSEUDO_COUNT));
    const nonMatchMass = data.levelCounts.map((levels) => new Array<number>(levels).fill(PSEUDO_COUNT));
    let matches = 0;
    for (let p = 0; p < patternCount; p++) {
      let logOdds = Math.log(current.lambda / (1 - current.lambda));
      for (let f = 0; f < fieldCount; f++) {
        const level = data.patterns[p * fieldCount + f]!;
        if (level !== MISSING) logOdds += logM[f]![level]! - logU[f]![level]!;
      }
      const count = data.counts[p]!;
      const matchShare = count / (1 + Math.exp(-logOdds));
      matches += matchShare;
      for (let f = 0; f < fieldCount; f++) {
        const level = data.patterns[p * fieldCount + f]!;
        if (level === MISSING) continue;
        matchMass[f]![level]! += matchShare;
        nonMatchMass[f]![level]! += count - matchShare;
      }
    }
    const next = { m: matchMass.map(normalised), u: nonMatchMass.map(normalised), lambda: clamp(matches / total) };
    const moved = Math.max(Math.abs(next.lambda - current.lambda), largestChange(next.m, current.m), largestChange(next.u, current.u));
    current = next;
    if (moved < tolerance) return { ...current, iterations: iteration, converged: true };
  }
  return { ...current, iterations: options.maxIterations, converged: false };
}

function normalised(row: number[]): number[] {
  const sum = row.reduce((total, value) => total + value, 0);
  return row.map((value) => value / sum);
}

function largestChange(a: number[][], b: number[][]): number {
  let largest = 0;
  for (let f = 0; f < a.length; f++) for (let l = 0; l < a[f]!.length; l++) largest = Math.max(largest, Math.abs(a[f]![l]! - b[f]![l]!));
  return largest;
}

/** λ strictly between 0 and 1, so its log-odds stay finite. */
function clamp(lambda: number): number {
  return Math.min(1 - 1e-9, Math.max(1e-9, lambda));
}
