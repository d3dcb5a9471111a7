import { readFileSync } from 'node:fs';
import { definePlugin } from '@weft/plugin-sdk';
import { resolver } from './resolver.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export { resolver } from './resolver.js';
export { resolverConfigSchema, type BlockingPass, type FieldSpec, type LevelSpec, type ResolverConfig, type ResolverConfigInput } from './config.js';
export { personBlockingPasses, personFields } from './person-defaults.js';
export { createMatcher, parseResolverConfig, type Matcher } from './matcher.js';
export { trainModel } from './train.js';
export { linkRecords, type LinkOptions, type LinkResult, type ScoredPair } from './link.js';
export { matchModelSchema, untrainedModel, type MatchModel } from './model.js';
export { explainScore } from './explain.js';
export { linkageQuality, type LinkageQuality } from './quality.js';
export * from './comparators/index.js';

export default definePlugin({
  id: 'identity-probabilistic',
  version,
  sdk: '^0.1.0',
  description: 'Probabilistic identity resolution: Fellegi–Sunter record linkage with blocking, EM-trained weights and explainable scores',
  components: { resolver },
});
