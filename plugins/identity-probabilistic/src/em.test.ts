import { describe, expect, it } from 'vitest';
import { expectationMaximisation, type PatternCounts } from './em.js';
import { MISSING } from './fields.js';

/** Pairs drawn from a known mixture, as pattern counts: three levels per field, a tenth of the values missing. */
function syntheticPairs(truth: { m: number[][]; u: number[][]; lambda: number }, pairs: number): PatternCounts {
  let state = 42;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const draw = (probabilities: number[]) => {
    let r = random();
    const index = probabilities.findIndex((p) => (r -= p) < 0);
    return index === -1 ? probabilities.length - 1 : index;
  };
  const counts = new Map<string, number>();
  for (let i = 0; i < pairs; i++) {
    const parameters = random() < truth.lambda ? truth.m : truth.u;
    const levels = parameters.map((row) => (random() < 0.1 ? MISSING : draw(row)));
    counts.set(levels.join(','), (counts.get(levels.join(',')) ?? 0) + 1);
  }
  const keys = [...counts.keys()];
  return { levelCounts: truth.m.map(() => 3), patterns: Int8Array.from(keys.flatMap((key) => key.split(',').map(Number))), counts: Float64Array.from(keys, (key) => counts.get(key)!) };
}

describe('expectationMaximisation', () => {
  const truth = {
    m: [[0.85, 0.1, 0.05], [0.75, 0.15, 0.1], [0.9, 0.06, 0.04], [0.8, 0.1, 0.1], [0.95, 0.03, 0.02]],
    u: [[0.02, 0.08, 0.9], [0.05, 0.1, 0.85], [0.01, 0.04, 0.95], [0.1, 0.2, 0.7], [0.2, 0.05, 0.75]],
    lambda: 0.2,
  };
  const data = syntheticPairs(truth, 40_000);
  const start = { m: truth.m.map(() => [0.6, 0.2, 0.2]), u: truth.u.map(() => [0.2, 0.2, 0.6]), lambda: 0.5 };
  const fitted = expectationMaximisation(data, start, { maxIterations: 500 });

  it('converges', () => {
    expect(fitted.converged).toBe(true);
  });

  it('recovers the share of matches', () => {
    expect(Math.abs(fitted.lambda - truth.lambda)).toBeLessThan(0.01);
  });

  it('recovers m and u of every level', () => {
    fitted.m.flat().forEach((m, index) => expect(Math.abs(m - truth.m.flat()[index]!)).toBeLessThan(0.02));
    fitted.u.flat().forEach((u, index) => expect(Math.abs(u - truth.u.flat()[index]!)).toBeLessThan(0.02));
  });

  it('keeps every probability above 0, so no weight is infinite', () => {
    const sparse: PatternCounts = { levelCounts: [2], patterns: Int8Array.from([0, 1]), counts: Float64Array.from([10, 10]) };
    const result = expectationMaximisation(sparse, { m: [[0.9, 0.1]], u: [[0.1, 0.9]], lambda: 0.5 }, { maxIterations: 100 });
    expect(Math.min(...result.m.flat(), ...result.u.flat())).toBeGreaterThan(0);
  });
});
