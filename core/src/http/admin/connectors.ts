import { z } from 'zod';
import { connectorSettingsSchema } from '../../connectors/settings.js';
import { WeftError, conflict } from '../../errors.js';
import { referencedConnectors } from '../../pipelines/service.js';
import type { Runtime } from '../../runtime.js';
import { recordAudit } from './audit.js';
import { checkConnector } from './connector-check.js';
import { connectorStatus, connectorStatusAnswer } from './connector-status.js';
import { operation } from './operation.js';
import { connectorViewSchema } from './schemas.js';

const tag = 'Connectors';
const configSchema = z.record(z.string(), z.unknown()).meta({ description: "The component's config (see its plugin's configSchema)" });

export const createConnectorBody = z
  .object({
    id: z.string().min(1).meta({ description: '1-63 lower-case letters, digits, "-" or "_"', examples: ['crm-hook'] }),
    plugin: z.string().min(1),
    component: z.string().min(1),
    description: z.string().optional(),
    config: configSchema.optional(),
    settings: connectorSettingsSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const updateConnectorBody = z
  .object({
    description: z.string().optional(),
    config: configSchema.optional().meta({ description: 'The whole config; secret fields left out keep their stored value' }),
    settings: connectorSettingsSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const connectorsAnswer = z.object({ connectors: z.array(connectorViewSchema) });
export const connectorAnswer = z.object({ connector: connectorViewSchema });
export const createdConnectorAnswer = z.object({
  connector: connectorViewSchema,
  writeKey: z.string().optional().meta({ description: "A source's first write key; shown only in this answer" }),
});
export const checkAnswer = z.object({ ok: z.boolean(), message: z.string().meta({ description: 'One line' }), durationMs: z.number() });

/** Pipelines that name a connector anywhere in their spec. */
export async function pipelinesUsing(runtime: Runtime, connectorId: string): Promise<string[]> {
  const pipelines = await runtime.pipelines.list();
  return pipelines.filter(({ spec }) => referencedConnectors(spec).includes(connectorId)).map((pipeline) => pipeline.id);
}

export const connectorOperations = [
  operation(
    {
      method: 'get',
      path: '/connectors',
      tag,
      summary: 'List connectors',
      query: z.object({ kind: z.enum(['source', 'transform', 'identity-resolver', 'destination']).optional() }),
      responses: { 200: { description: 'Connectors by id; secrets shown as "[redacted]"', schema: connectorsAnswer } },
    },
    async ({ c, services, query }) => {
      const connectors = await services.runtime.connectors.list();
      return c.json({ connectors: query.kind ? connectors.filter((connector) => connector.kind === query.kind) : connectors });
    },
  ),
  operation(
    {
      method: 'post',
      path: '/connectors',
      tag,
      summary: 'Create a connector',
      body: createConnectorBody,
      responses: { 201: { description: 'Created; a source comes with its first write key', schema: createdConnectorAnswer }, 409: { description: 'The id is taken' } },
    },
    async ({ c, services, body, actor }) => {
      const created = await services.runtime.connectors.create(body);
      await recordAudit(services.runtime.db, {
        actor: actor.tokenId,
        action: 'connector.create',
        target: `connector:${body.id}`,
        details: { plugin: body.plugin, component: body.component, fields: Object.keys(body.config ?? {}) },
      });
      return c.json(created, 201);
    },
  ),
  operation(
    { method: 'get', path: '/connectors/:id', tag, summary: 'Get a connector', responses: { 200: { description: 'The connector', schema: connectorAnswer }, 404: { description: 'No such connector' } } },
    async ({ c, services, param }) => c.json({ connector: await services.runtime.connectors.view(param('id')) }),
  ),
  operation(
    {
      method: 'patch',
      path: '/connectors/:id',
      tag,
      summary: 'Change description, config, settings or enabled',
      body: updateConnectorBody,
      responses: { 200: { description: 'The changed connector', schema: connectorAnswer }, 404: { description: 'No such connector' } },
    },
    async ({ c, services, body, param, actor }) => {
      const connector = await services.runtime.connectors.update(param('id'), body);
      if (body.enabled === false) services.runtime.connectors.forgetCachedKeys();
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'connector.update', target: `connector:${connector.id}`, details: { fields: Object.keys(body) } });
      return c.json({ connector });
    },
  ),
  operation(
    {
      method: 'delete',
      path: '/connectors/:id',
      tag,
      summary: 'Delete a connector (its write keys and stored values go with it)',
      responses: { 204: { description: 'Deleted' }, 404: { description: 'No such connector' }, 409: { description: 'A pipeline still uses it' } },
    },
    async ({ c, services, param, actor }) => {
      const id = param('id');
      await services.runtime.connectors.row(id);
      const users = await pipelinesUsing(services.runtime, id);
      if (users.length > 0) throw conflict(`Connector '${id}' is used by pipeline(s) ${users.map((p) => `'${p}'`).join(', ')}; change or delete them first`);
      await services.runtime.connectors.remove(id);
      services.runtime.connectors.forgetCachedKeys();
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'connector.delete', target: `connector:${id}` });
      return c.body(null, 204);
    },
  ),
  operation(
    {
      method: 'post',
      path: '/connectors/:id/enable',
      tag,
      summary: "Enable (or resume a paused) connector after its check() passes",
      query: z.object({ force: z.enum(['true', 'false']).optional().meta({ description: 'true skips the check' }) }),
      responses: {
        200: { description: 'Enabled', schema: connectorAnswer },
        400: { description: "check_failed: the plugin's check() failed; the message says why" },
        404: { description: 'No such connector' },
      },
    },
    async ({ c, services, query, param, actor }) => {
      const id = param('id');
      const force = query.force === 'true';
      if (!force) {
        const check = await checkConnector(services.runtime, id);
        if (!check.ok) throw new WeftError(400, 'check_failed', `Connector '${id}' failed its check: ${check.message}`);
      }
      const connector = await services.runtime.connectors.setEnabled(id, true);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'connector.enable', target: `connector:${id}`, details: { force } });
      return c.json({ connector });
    },
  ),
  operation(
    {
      method: 'post',
      path: '/connectors/:id/disable',
      tag,
      summary: 'Disable a connector: sources stop accepting events, destinations stop delivering',
      responses: { 200: { description: 'Disabled', schema: connectorAnswer }, 404: { description: 'No such connector' } },
    },
    async ({ c, services, param, actor }) => {
      const connector = await services.runtime.connectors.setEnabled(param('id'), false);
      services.runtime.connectors.forgetCachedKeys();
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'connector.disable', target: `connector:${connector.id}` });
      return c.json({ connector });
    },
  ),
  operation(
    {
      method: 'post',
      path: '/connectors/:id/test',
      tag,
      summary: "Run the component's check(): credentials and reachability",
      responses: { 200: { description: 'The outcome, passed or not', schema: checkAnswer }, 404: { description: 'No such connector' } },
    },
    async ({ c, services, param }) => c.json(await checkConnector(services.runtime, param('id'))),
  ),
  operation(
    {
      method: 'get',
      path: '/connectors/:id/status',
      tag,
      summary: 'Queue, intake and recent errors of a connector',
      responses: { 200: { description: 'The status', schema: connectorStatusAnswer }, 404: { description: 'No such connector' } },
    },
    async ({ c, services, param }) => c.json(await connectorStatus(services.runtime, param('id'))),
  ),
];
