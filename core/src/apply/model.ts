import { z } from 'zod';
import { connectorSettingsSchema } from '../connectors/settings.js';
import { traitPrecedenceSchema } from '../identity/traits.js';
import { identifierTypeInput, typeNamePattern } from '../identity/types.js';
import { pipelineSpecSchema } from '../pipelines/service.js';

const connectorEntrySchema = z
  .object({
    id: z.string().min(1),
    plugin: z.string().min(1),
    component: z.string().min(1),
    description: z.string().optional(),
    config: z.record(z.string(), z.unknown()).default({}).meta({ description: 'Secret fields left out keep their stored value' }),
    settings: connectorSettingsSchema.prefault({}),
    enabled: z.boolean().default(true),
  })
  .strict();

const pipelineEntrySchema = z
  .object({
    id: z.string().min(1),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    ...pipelineSpecSchema.shape,
  })
  .strict();

const identifierTypeEntrySchema = z
  .object({
    type: z.string().regex(typeNamePattern, { error: (issue) => `'${String(issue.input)}' is not a type name: use lower-case letters, digits and '_', starting with a letter, such as member_no` }),
    ...identifierTypeInput.shape,
  })
  .strict();

const identitySectionSchema = z
  .object({
    types: z.array(identifierTypeEntrySchema).default([]).meta({ description: 'Custom identifier types, and built-in ones to override; fields left out keep their value in force' }),
    traitPrecedence: traitPrecedenceSchema.optional().meta({ description: 'Replaces the trait precedence rules when given; left out, the rules in force stay' }),
  })
  .strict();

/**
 * `weft.yaml`: the plugins, identity configuration, connectors and pipelines a deployment should have. `weft apply`
 * makes the server match it (see docs/weft-yaml.md).
 *
 * @example
 * weftYamlSchema.parse({ connectors: [{ id: 'web', plugin: 'web-sdk', component: 'source' }] })
 */
export const weftYamlSchema = z
  .object({
    version: z.literal(1).optional().meta({ description: 'Format version; 1 when given' }),
    plugins: z.array(z.string().min(1)).default([]).meta({ description: 'npm package names or absolute paths of plugins to add' }),
    identity: identitySectionSchema.optional(),
    connectors: z.array(connectorEntrySchema).default([]),
    pipelines: z.array(pipelineEntrySchema).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const lists: Array<[path: string[], names: string[], field: string]> = [
      [['connectors'], config.connectors.map((entry) => entry.id), 'id'],
      [['pipelines'], config.pipelines.map((entry) => entry.id), 'id'],
      [['identity', 'types'], config.identity?.types.map((entry) => entry.type) ?? [], 'type'],
    ];
    for (const [path, names, field] of lists) {
      const seen = new Map<string, number>();
      names.forEach((name, index) => {
        const first = seen.get(name);
        if (first === undefined) seen.set(name, index);
        else ctx.addIssue({ code: 'custom', path: [...path, index, field], message: `'${name}' is already defined at ${path.join('.')}.${first}` });
      });
    }
  })
  .meta({ id: 'WeftYaml' });

export type WeftYaml = z.output<typeof weftYamlSchema>;
export type WeftYamlInput = z.input<typeof weftYamlSchema>;
export type ConnectorEntry = WeftYaml['connectors'][number];
export type PipelineEntry = WeftYaml['pipelines'][number];
export type IdentitySection = NonNullable<WeftYaml['identity']>;
export type IdentifierTypeEntry = IdentitySection['types'][number];
