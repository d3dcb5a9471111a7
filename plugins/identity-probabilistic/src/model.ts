import { z } from 'zod';
import { ConfigError, type FieldContribution, type MatchScore } from '@weft/plugin-sdk';
import type { FieldSpec, ResolverConfig } from './config.js';
import { MISSING, type FieldMatcher, type PreparedRecord } from './fields.js';

const probability = z.number().gt(0).lt(1);

/**
 * What `train` returns and `compare` reads, as plain JSON: per field and level the m (share of
 * true matches in that level) and u (share of different people), and the prior: the probability
 * that two records picked at random are the same person.
 */
export const matchModelSchema = z.object({
  version: z.literal(1),
  prior: probability,
  fields: z.record(z.string(), z.record(z.string(), z.object({ m: probability, u: probability }))),
  training: z
    .object({
      records: z.number().int(),
      candidatePairs: z.number().int(),
      randomPairs: z.number().int(),
      oversizedKeys: z.number().int(),
      iterations: z.number().int(),
      converged: z.boolean(),
      estimatedMatches: z.number(),
    })
    .optional(),
});

export type MatchModel = z.output<typeof matchModelSchema>;
export type LevelProbabilities = MatchModel['fields'][string];

/**
 * The model before any training, from the m and u the config gives each level. A level without
 * them gets m 0.85 (first level) or 0.1 shared (the others) and u 0.01 or 0.02; `different`
 * takes what is left.
 */
export function untrainedModel(config: ResolverConfig): MatchModel {
  return { version: 1, prior: config.prior, fields: Object.fromEntries(config.fields.map((field) => [field.name, untrainedLevels(field)])) };
}

function untrainedLevels(field: FieldSpec): LevelProbabilities {
  const intermediate = Math.max(1, field.levels.length - 1);
  const levels = field.levels.map((level, index) => ({
    name: level.name,
    m: level.m ?? (index === 0 ? 0.85 : 0.1 / intermediate),
    u: level.u ?? (index === 0 ? 0.01 : 0.02),
  }));
  const rest = (key: 'm' | 'u') => Math.max(1e-6, 1 - levels.reduce((sum, level) => sum + level[key], 0));
  return Object.fromEntries([...levels.map((level) => [level.name, { m: level.m, u: level.u }]), ['different', { m: rest('m'), u: rest('u') }]]);
}

/** Reads a stored model; anything `train` did not make is a ConfigError saying to retrain. */
export function readModel(model: unknown): MatchModel {
  const parsed = matchModelSchema.safeParse(model);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(`The stored match model is not one this resolver trained (${issue.path.join('.') || 'model'}: ${issue.message}); train it again`);
}

/** Scores pairs of prepared records with one model: weights per field and level, precomputed. */
export interface Scorer {
  readonly fields: readonly FieldMatcher[];
  /** Per field, log2(m/u) of each level. */
  readonly weights: readonly Float64Array[];
  /** log2 of the prior odds. */
  readonly priorWeight: number;
  /** Fills `similarities` and `levels` (one slot per field) for a pair and returns its total weight. */
  measure(a: PreparedRecord, b: PreparedRecord, similarities: Float64Array, levels: Int8Array): number;
  /** The full, explainable score of a measured pair. */
  matchScore(weight: number, similarities: Float64Array, levels: Int8Array): MatchScore;
}

/**
 * Builds a scorer. Fields the model does not know (added to the config after training) use the
 * untrained values.
 */
export function createScorer(fields: readonly FieldMatcher[], model: MatchModel, fallback: MatchModel, thresholds: ResolverConfig['thresholds']): Scorer {
  const weights = fields.map((field) => {
    const known = model.fields[field.name];
    const levels = known && field.levels.every((level) => known[level] !== undefined) ? known : fallback.fields[field.name]!;
    return Float64Array.from(field.levels, (level) => Math.log2(levels[level]!.m / levels[level]!.u));
  });
  const priorWeight = Math.log2(model.prior / (1 - model.prior));
  return {
    fields,
    weights,
    priorWeight,
    measure(a, b, similarities, levels) {
      let weight = priorWeight;
      for (let f = 0; f < fields.length; f++) {
        const field = fields[f]!;
        const similarity = field.similarity(a.values[f]!, b.values[f]!);
        const level = field.levelOf(similarity);
        similarities[f] = similarity;
        levels[f] = level;
        if (level !== MISSING) weight += weights[f]![level]!;
      }
      return weight;
    },
    matchScore(weight, similarities, levels) {
      const contributions: FieldContribution[] = fields.map((field, f) => {
        const level = levels[f]!;
        if (level === MISSING) return { field: field.name, comparator: field.comparator, similarity: null, level: 'missing', weight: 0 };
        return { field: field.name, comparator: field.comparator, similarity: round(similarities[f]!), level: field.levels[level]!, weight: round(weights[f]![level]!) };
      });
      const probability = 1 / (1 + 2 ** -weight);
      const decision = probability >= thresholds.link ? 'link' : probability >= thresholds.review ? 'review' : 'none';
      return { weight: round(weight), probability, decision, fields: contributions };
    },
  };
}

/** Explanations carry four decimals: enough to read, stable to compare. */
function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
