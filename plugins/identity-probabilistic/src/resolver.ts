import { defineIdentityResolver } from '@weft/plugin-sdk';
import { resolverConfigSchema } from './config.js';
import { createMatcher } from './matcher.js';
import { trainModel } from './train.js';

/**
 * Probabilistic identity resolution (Fellegi–Sunter): blocking keys find candidate profiles,
 * field comparisons weigh the evidence, and the host links, queues for review or leaves apart.
 *
 * @example
 * // connector config: defaults read firstName/lastName/birthDate/address traits (or their snake_case forms)
 * { "thresholds": { "link": 0.97, "review": 0.7 } }
 */
export const resolver = defineIdentityResolver({
  title: 'Probabilistic identity resolver',
  description: 'Links profiles that are probably the same person by name, birth date, address, phone and email similarity (Fellegi–Sunter with EM-trained weights)',
  config: resolverConfigSchema,
  match: {
    blockingKeys(record, ctx) {
      const matcher = createMatcher(ctx.config);
      return matcher.blockingKeys(matcher.prepare(record));
    },
    train(records, ctx) {
      const model = trainModel(records, undefined, ctx.config);
      ctx.logger.info('trained the probabilistic match model', { ...model.training, prior: model.prior });
      return model;
    },
    compare(a, b, ctx) {
      const matcher = createMatcher(ctx.config, ctx.model);
      return matcher.compare(matcher.prepare(a), matcher.prepare(b));
    },
  },
});
