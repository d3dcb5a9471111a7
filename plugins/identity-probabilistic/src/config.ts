import { z } from 'zod';
import { comparatorNames, normaliserNames } from './comparators/index.js';
import { personBlockingPasses, personFields } from './person-defaults.js';

const probability = z.number().gt(0).lt(1);
const levelName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes')
  .refine((name) => name !== 'different' && name !== 'missing', 'different and missing are implicit levels');

export const levelSchema = z.object({
  name: levelName.describe('Shown in explanations (exact, close, somewhat, …)'),
  atLeast: z.number().min(0).max(1).describe('Lowest similarity that falls in this level'),
  m: probability.optional().describe('Before training: share of true matches whose values fall in this level'),
  u: probability.optional().describe('Before training: share of different people whose values fall in this level'),
});

export const fieldSchema = z
  .object({
    name: z.string().min(1).describe('The field as explanations name it'),
    traits: z.array(z.string().min(1)).default([]).describe('Trait paths to read, first present wins (dots reach nested traits: address.city)'),
    identifier: z.string().min(1).optional().describe('Identifier type whose values are compared too (email, phone, …)'),
    comparator: z.enum(comparatorNames),
    normalise: z.enum(normaliserNames).optional().describe('String comparators: text (default), digits or lowercase'),
    scale: z.number().positive().optional().describe('numeric: the difference at which similarity reaches 0'),
    levels: z.array(levelSchema).min(1).describe('Comparison levels, most similar first; anything below the last is "different"'),
  })
  .refine((field) => field.traits.length > 0 || field.identifier !== undefined, { message: 'needs traits or an identifier to read', path: ['traits'] })
  .refine((field) => field.levels.every((level, index) => index === 0 || level.atLeast < field.levels[index - 1]!.atLeast), {
    message: 'levels must be listed from the highest atLeast to the lowest',
    path: ['levels'],
  })
  .refine((field) => new Set(field.levels.map((level) => level.name)).size === field.levels.length, { message: 'level names must be unique', path: ['levels'] })
  .refine((field) => (['m', 'u'] as const).every((key) => field.levels.reduce((sum, level) => sum + (level[key] ?? 0), 0) < 1), {
    message: 'the levels\' m (and u) must add up to less than 1, leaving some for "different"',
    path: ['levels'],
  });

export const blockingEncodings = ['value', 'soundex', 'initial', 'year'] as const;

export const blockingPassSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes').describe('Prefix of the keys this pass makes'),
  keys: z
    .array(
      z.object({
        field: z.string().min(1).describe('A field name from fields'),
        encode: z.enum(blockingEncodings).default('value').describe('value, soundex (names that sound alike), initial or year (of a date)'),
      }),
    )
    .min(1),
});

export const resolverConfigSchema = z
  .object({
    fields: z.array(fieldSchema).min(1).default(personFields).describe('What is compared, and how'),
    traits: z
      .record(z.string(), z.array(z.string().min(1)).min(1))
      .default({})
      .describe('Per field name, the trait paths to read instead of the field\'s own: { "city": ["ville", "address.city"] }'),
    blocking: z
      .object({
        passes: z.array(blockingPassSchema).min(1).default(personBlockingPasses),
        maxBlockSize: z.number().int().min(2).default(500).describe('A key shared by more records than this (on either side) is skipped in batch linkage and training'),
      })
      .default({ passes: personBlockingPasses, maxBlockSize: 500 }),
    thresholds: z
      .object({
        link: probability.default(0.95).describe('Probability at or above which two records are linked'),
        review: probability.default(0.6).describe('Probability at or above which a pair is queued for review'),
      })
      .refine((thresholds) => thresholds.review <= thresholds.link, { message: 'review must not be above link', path: ['review'] })
      .default({ link: 0.95, review: 0.6 }),
    prior: probability.default(1e-4).describe('Before training: probability that two records picked at random are the same person'),
    training: z
      .object({
        maxIterations: z.number().int().min(1).max(1000).default(100),
        randomPairs: z.number().int().min(100).default(20_000).describe('Random pairs sampled to estimate u'),
      })
      .default({ maxIterations: 100, randomPairs: 20_000 }),
  })
  .superRefine((config, ctx) => {
    const names = config.fields.map((field) => field.name);
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) ctx.addIssue({ code: 'custom', message: `field name '${name}' is used twice`, path: ['fields', index, 'name'] });
    });
    for (const name of Object.keys(config.traits)) {
      if (!names.includes(name)) ctx.addIssue({ code: 'custom', message: `no field named '${name}' (fields: ${names.join(', ')})`, path: ['traits', name] });
    }
    config.blocking.passes.forEach((pass, passIndex) =>
      pass.keys.forEach((key, keyIndex) => {
        if (!names.includes(key.field)) {
          ctx.addIssue({
            code: 'custom',
            message: `no field named '${key.field}' (fields: ${names.join(', ')})`,
            path: ['blocking', 'passes', passIndex, 'keys', keyIndex, 'field'],
          });
        }
      }),
    );
  });

export type ResolverConfig = z.output<typeof resolverConfigSchema>;
export type ResolverConfigInput = z.input<typeof resolverConfigSchema>;
export type FieldSpec = z.output<typeof fieldSchema>;
export type LevelSpec = z.output<typeof levelSchema>;
export type BlockingPass = z.output<typeof blockingPassSchema>;
export type BlockingEncoding = (typeof blockingEncodings)[number];
