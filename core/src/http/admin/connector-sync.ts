import { z } from 'zod';
import { PullRunner } from '../../engine/pull-runner.js';
import { recordAudit } from './audit.js';
import { pullRunSchema } from './connector-status.js';
import { operation } from './operation.js';

export const syncAnswer = z.object({ runs: z.array(pullRunSchema) });

export const connectorSyncOperations = [
  operation(
    {
      method: 'post',
      path: '/connectors/:id/sync',
      tag: 'Connectors',
      summary: "Read a pull source's streams now (`weft connectors sync`)",
      description:
        'Runs every stream of the source once, from its saved cursor, whatever its schedule (also with `settings.pull.enabled: false`), and answers when they are done. ' +
        'A stream another runner is reading answers `busy` and is left to it. An auth or config error pauses the source, as a scheduled run would.',
      responses: {
        200: { description: 'How each stream run ended', schema: syncAnswer },
        400: { description: 'The connector is not a source with pull streams' },
        404: { description: 'No such connector' },
        409: { description: 'The source is disabled or paused' },
      },
    },
    async ({ c, services, param, actor }) => {
      const id = param('id');
      const pulls = services.pulls ?? new PullRunner(services.runtime, services.ingest);
      const runs = await pulls.syncConnector(id);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'connector.sync', target: `connector:${id}`, details: { outcomes: runs.map(({ stream, outcome }) => `${stream}:${outcome}`) } });
      return c.json({ runs });
    },
  ),
];
