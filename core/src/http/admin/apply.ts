import { z } from 'zod';
import { applyWeftYaml, parseWeftYaml, planKinds, weftYamlSchema } from '../../apply/index.js';
import { recordAudit } from './audit.js';
import { droppedDefaultsSchema } from './identity-types.js';
import { operation } from './operation.js';

const dryRun = z.boolean().default(false).meta({ description: 'Only answer the plan' });

export const applyBody = z.object({ config: weftYamlSchema, dryRun }).strict();

// The handler checks `config` itself, so its problems carry their paths in the file (`identity.types.0.limit`), not in the request.
const applyRequest = z.object({ config: z.record(z.string(), z.unknown()), dryRun }).strict();

export const applyAnswer = z.object({
  plan: z.array(
    z.object({
      action: z.enum(['create', 'update', 'delete', 'unchanged']),
      kind: z.enum(planKinds),
      id: z.string().meta({ description: 'Connector or pipeline id; the specifier of a plugin; an identifier type; `traitPrecedence` for identity settings' }),
      changes: z.array(z.string()).optional().meta({ description: 'Changed fields (`config.url`, `settings.retry`, `sources`); never values' }),
      droppedDefaults: droppedDefaultsSchema.optional().meta({ description: 'On an identifier type: the default blocked values and patterns this change removes' }),
    }),
  ),
  applied: z.boolean(),
  writeKeys: z.record(z.string(), z.string()).meta({ description: 'First write key of each source this apply created; shown once' }),
});

export const applyOperations = [
  operation(
    {
      method: 'post',
      path: '/apply',
      tag: 'Declarative config',
      summary: 'Make the server match a weft.yaml (or, with dryRun, show the plan)',
      description: 'The file format is in docs/weft-yaml.md. Everything is checked before anything changes.',
      body: applyRequest,
      bodyDoc: applyBody,
      responses: { 200: { description: 'The plan, and what was applied', schema: applyAnswer } },
    },
    async ({ c, services, body, actor }) => {
      const result = await applyWeftYaml(services.runtime, parseWeftYaml(body.config), { dryRun: body.dryRun });
      const changed = result.plan.filter((item) => item.action !== 'unchanged');
      if (result.applied && changed.length > 0) {
        await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'apply', details: { changes: changed, writeKeysIssued: Object.keys(result.writeKeys) } });
      }
      return c.json(result);
    },
  ),
];
