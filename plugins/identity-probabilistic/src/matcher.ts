import { ConfigError, describeIssues, type MatchRecord, type MatchScore } from '@weft/plugin-sdk';
import { blockingKeyMaker } from './blocking.js';
import { resolverConfigSchema, type ResolverConfig, type ResolverConfigInput } from './config.js';
import { compileField, prepareRecord, type FieldMatcher, type PreparedRecord } from './fields.js';
import { createScorer, readModel, untrainedModel, type MatchModel, type Scorer } from './model.js';

/** A config made ready to read, block and score records. */
export interface Matcher {
  readonly config: ResolverConfig;
  readonly fields: readonly FieldMatcher[];
  /** The model in use: the trained one given, or the untrained one from the config. */
  readonly model: MatchModel;
  readonly scorer: Scorer;
  prepare(record: MatchRecord): PreparedRecord;
  blockingKeys(record: PreparedRecord): string[];
  /** Scores one pair, with every field's contribution. */
  compare(a: PreparedRecord, b: PreparedRecord): MatchScore;
}

interface CompiledConfig {
  config: ResolverConfig;
  fields: FieldMatcher[];
  keysOf: (record: PreparedRecord) => string[];
  untrained: MatchModel;
  byModel: WeakMap<object, Matcher>;
  untrainedMatcher?: Matcher;
}

// The host hands the same config and model objects to every call: compile each once.
const compiledConfigs = new WeakMap<object, CompiledConfig>();

/**
 * The matcher for a config (parsed with its defaults; a partial config is fine) and a model
 * (`undefined` before training). Both are compiled once per object and reused.
 *
 * @example
 * const matcher = createMatcher({}, model);
 * matcher.compare(matcher.prepare(a), matcher.prepare(b)).probability
 */
export function createMatcher(config: ResolverConfigInput | ResolverConfig = {}, model?: unknown): Matcher {
  const compiled = compileConfig(config);
  if (model === undefined || model === null) return (compiled.untrainedMatcher ??= matcherFor(compiled, compiled.untrained));
  if (typeof model !== 'object') return matcherFor(compiled, readModel(model));
  let matcher = compiled.byModel.get(model);
  if (!matcher) compiled.byModel.set(model, (matcher = matcherFor(compiled, readModel(model))));
  return matcher;
}

/** Parses a config as the host would, naming every wrong field in one ConfigError. */
export function parseResolverConfig(input: unknown): ResolverConfig {
  const parsed = resolverConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`Invalid probabilistic identity config: ${describeIssues(parsed.error.issues, '(config)').join('; ')}`);
  return parsed.data;
}

function compileConfig(input: ResolverConfigInput | ResolverConfig): CompiledConfig {
  let compiled = compiledConfigs.get(input);
  if (!compiled) {
    const config = parseResolverConfig(input);
    const fields = config.fields.map((field) => compileField({ ...field, traits: config.traits[field.name] ?? field.traits }));
    compiled = { config, fields, keysOf: blockingKeyMaker(config.blocking.passes, fields), untrained: untrainedModel(config), byModel: new WeakMap() };
    compiledConfigs.set(input, compiled);
  }
  return compiled;
}

function matcherFor(compiled: CompiledConfig, model: MatchModel): Matcher {
  const { config, fields } = compiled;
  const scorer = createScorer(fields, model, compiled.untrained, config.thresholds);
  const similarities = new Float64Array(fields.length);
  const levels = new Int8Array(fields.length);
  return {
    config,
    fields,
    model,
    scorer,
    prepare: (record) => prepareRecord(record, fields),
    blockingKeys: compiled.keysOf,
    compare(a, b) {
      const weight = scorer.measure(a, b, similarities, levels);
      return scorer.matchScore(weight, similarities, levels);
    },
  };
}
