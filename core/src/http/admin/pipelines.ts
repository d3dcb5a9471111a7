import { z } from 'zod';
import { pipelineSpecSchema } from '../../pipelines/service.js';
import { recordAudit } from './audit.js';
import { operation } from './operation.js';
import { pipelineViewSchema } from './schemas.js';

const tag = 'Pipelines';

export const createPipelineBody = z
  .object({
    id: z.string().min(1).meta({ description: '1-63 lower-case letters, digits, "-" or "_"', examples: ['orders'] }),
    description: z.string().optional(),
    enabled: z.boolean().optional(),
    spec: pipelineSpecSchema,
  })
  .strict();

export const updatePipelineBody = z
  .object({ description: z.string().optional(), enabled: z.boolean().optional(), spec: pipelineSpecSchema.optional() })
  .strict();

export const pipelinesAnswer = z.object({ pipelines: z.array(pipelineViewSchema) });
export const pipelineAnswer = z.object({ pipeline: pipelineViewSchema });

export const pipelineOperations = [
  operation(
    { method: 'get', path: '/pipelines', tag, summary: 'List pipelines', responses: { 200: { description: 'Pipelines by id', schema: pipelinesAnswer } } },
    async ({ c, services }) => c.json({ pipelines: await services.runtime.pipelines.list() }),
  ),
  operation(
    {
      method: 'post',
      path: '/pipelines',
      tag,
      summary: 'Create a pipeline: sources → transforms → destinations',
      body: createPipelineBody,
      responses: { 201: { description: 'Created', schema: pipelineAnswer }, 409: { description: 'The id is taken' } },
    },
    async ({ c, services, body, actor }) => {
      const pipeline = await services.runtime.pipelines.create(body.id, body);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'pipeline.create', target: `pipeline:${pipeline.id}`, details: { spec: pipeline.spec } });
      return c.json({ pipeline }, 201);
    },
  ),
  operation(
    { method: 'get', path: '/pipelines/:id', tag, summary: 'Get a pipeline', responses: { 200: { description: 'The pipeline', schema: pipelineAnswer }, 404: { description: 'No such pipeline' } } },
    async ({ c, services, param }) => c.json({ pipeline: await services.runtime.pipelines.get(param('id')) }),
  ),
  operation(
    {
      method: 'patch',
      path: '/pipelines/:id',
      tag,
      summary: 'Change description, enabled or the whole spec',
      body: updatePipelineBody,
      responses: { 200: { description: 'The changed pipeline', schema: pipelineAnswer }, 404: { description: 'No such pipeline' } },
    },
    async ({ c, services, body, param, actor }) => {
      const pipeline = await services.runtime.pipelines.update(param('id'), body);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'pipeline.update', target: `pipeline:${pipeline.id}`, details: { fields: Object.keys(body) } });
      return c.json({ pipeline });
    },
  ),
  operation(
    { method: 'delete', path: '/pipelines/:id', tag, summary: 'Delete a pipeline', responses: { 204: { description: 'Deleted' }, 404: { description: 'No such pipeline' } } },
    async ({ c, services, param, actor }) => {
      await services.runtime.pipelines.remove(param('id'));
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'pipeline.delete', target: `pipeline:${param('id')}` });
      return c.body(null, 204);
    },
  ),
];
