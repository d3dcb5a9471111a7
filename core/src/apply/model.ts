import { z } from 'zod';
import { connectorSettingsSchema } from '../connectors/settings.js';
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

/**
 * `weft.yaml`: the plugins, connectors and pipelines a deployment should have. `weft apply`
 * makes the server match it (see docs/weft-yaml.md).
 *
 * @example
 * weftYamlSchema.parse({ connectors: [{ id: 'web', plugin: 'web-sdk', component: 'source' }] })
 */
export const weftYamlSchema = z
  .object({
    version: z.literal(1).optional().meta({ description: 'Format version; 1 when given' }),
    plugins: z.array(z.string().min(1)).default([]).meta({ description: 'npm package names or absolute paths of plugins to add' }),
    connectors: z.array(connectorEntrySchema).default([]),
    pipelines: z.array(pipelineEntrySchema).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const kind of ['connectors', 'pipelines'] as const) {
      const seen = new Map<string, number>();
      config[kind].forEach((entry, index) => {
        const first = seen.get(entry.id);
        if (first === undefined) seen.set(entry.id, index);
        else ctx.addIssue({ code: 'custom', path: [kind, index, 'id'], message: `'${entry.id}' is already defined at ${kind}.${first}` });
      });
    }
  })
  .meta({ id: 'WeftYaml' });

export type WeftYaml = z.output<typeof weftYamlSchema>;
export type WeftYamlInput = z.input<typeof weftYamlSchema>;
export type ConnectorEntry = WeftYaml['connectors'][number];
export type PipelineEntry = WeftYaml['pipelines'][number];
