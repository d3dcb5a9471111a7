import { z } from 'zod';
import { eventInputSchema } from '@weft/plugin-sdk';
import { WeftError, invalid } from '../../errors.js';
import { eventsFromBody } from '../../ingest/normalize.js';
import { operation } from './operation.js';

export const sendEventsBody = z
  .union([eventInputSchema, z.object({ batch: z.array(eventInputSchema).min(1) }).loose()])
  .meta({ description: 'One event, or `{ batch: [...] }` as for `/v1/batch`' });

export const ingestAnswer = z.object({ accepted: z.number().int(), duplicates: z.number().int() });

export const connectorEventOperations = [
  operation(
    {
      method: 'post',
      path: '/connectors/:id/events',
      tag: 'Connectors',
      summary: 'Ingest events on behalf of a source connector (`weft events send`)',
      description: 'Validated and stored exactly as the tracking API does; answers once the events are committed.',
      body: z.unknown(),
      bodyDoc: sendEventsBody,
      responses: {
        200: { description: 'Committed', schema: ingestAnswer },
        400: { description: 'An event is invalid (issues name the fields), or the connector is not a source' },
        404: { description: 'No such connector' },
        409: { description: 'The source is disabled' },
      },
    },
    async ({ c, services, body, param }) => {
      const connector = await services.runtime.connectors.view(param('id'));
      if (connector.kind !== 'source') throw invalid(`Connector '${connector.id}' is a ${connector.kind}; events can only be sent to a source`);
      if (!connector.enabled) throw new WeftError(409, 'disabled', `Source '${connector.id}' is disabled; enable it first`);
      const events = eventsFromBody(body, { receivedAt: new Date() });
      return c.json(await services.ingest.write(connector.id, events));
    },
  ),
];
