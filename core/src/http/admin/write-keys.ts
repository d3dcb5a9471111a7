import { z } from 'zod';
import { recordAudit } from './audit.js';
import { operation } from './operation.js';

const tag = 'Connectors';

const writeKeySchema = z
  .object({
    id: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the key, to tell keys apart' }),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'WriteKey' });

const issuedAnswer = z.object({ id: z.string(), key: z.string().meta({ description: 'Shown only in this answer' }), prefix: z.string() });

export const writeKeyOperations = [
  operation(
    {
      method: 'get',
      path: '/connectors/:id/write-keys',
      tag,
      summary: "List a source's write keys (never the keys themselves)",
      responses: { 200: { description: 'Oldest first', schema: z.object({ writeKeys: z.array(writeKeySchema) }) }, 404: { description: 'No such connector' } },
    },
    async ({ c, services, param }) => c.json({ writeKeys: await services.runtime.connectors.listWriteKeys(param('id')) }),
  ),
  operation(
    {
      method: 'post',
      path: '/connectors/:id/write-keys',
      tag,
      summary: 'Issue another write key for a source (rotation)',
      responses: {
        201: { description: 'The new key, shown once', schema: issuedAnswer },
        400: { description: 'The connector is not a source' },
        404: { description: 'No such connector' },
      },
    },
    async ({ c, services, param, actor }) => {
      const issued = await services.runtime.connectors.issueWriteKey(param('id'));
      await recordAudit(services.runtime.db, {
        actor: actor.tokenId,
        action: 'write-key.issue',
        target: `connector:${param('id')}`,
        details: { keyId: issued.id, prefix: issued.prefix },
      });
      return c.json(issued, 201);
    },
  ),
  operation(
    {
      method: 'delete',
      path: '/connectors/:id/write-keys/:keyId',
      tag,
      summary: 'Revoke a write key (ingest refuses it within seconds)',
      responses: { 204: { description: 'Revoked' }, 404: { description: 'No active key with this id on this connector' } },
    },
    async ({ c, services, param, actor }) => {
      await services.runtime.connectors.revokeWriteKey(param('id'), param('keyId'));
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'write-key.revoke', target: `connector:${param('id')}`, details: { keyId: param('keyId') } });
      return c.body(null, 204);
    },
  ),
];
