import { and, asc, desc, eq, gt, isNull, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { eventTypes } from '@weft/plugin-sdk';
import { deliveries, eventQueue, events } from '../../db/schema/index.js';
import { notFound } from '../../errors.js';
import { operation } from './operation.js';
import { deliveryViewSchema, eventViewSchema, limitSchema } from './schemas.js';
import { deliveryView, eventView } from './views.js';

const tag = 'Events';
const eventId = z.coerce.number().int().min(0);

export const listEventsQuery = z.object({
  source: z.string().optional().meta({ description: 'Source connector id' }),
  type: z.enum(eventTypes).optional(),
  state: z.enum(['pending', 'done', 'failed']).optional(),
  after: eventId.optional().meta({ description: 'Events with a larger id, oldest first (tailing)' }),
  before: eventId.optional().meta({ description: 'Events with a smaller id, newest first' }),
  limit: limitSchema,
});

export const eventsAnswer = z.object({
  events: z.array(eventViewSchema),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: 'Id of the last event when the page is full: pass it as `after` (ascending) or `before` (descending); null otherwise' }),
});

export const eventOperations = [
  operation(
    {
      method: 'get',
      path: '/events',
      tag,
      summary: 'List stored events: newest first, or oldest first after an id (tailing)',
      query: listEventsQuery,
      responses: { 200: { description: 'A page of events', schema: eventsAnswer } },
    },
    async ({ c, services, query }) => {
      const conditions: SQL[] = [];
      if (query.source) conditions.push(eq(events.sourceId, query.source));
      if (query.type) conditions.push(eq(events.type, query.type));
      // A routed event has left the queue; a pending or failed one has its row there.
      if (query.state) conditions.push(query.state === 'done' ? isNull(eventQueue.eventId) : eq(eventQueue.state, query.state));
      if (query.after !== undefined) conditions.push(gt(events.id, query.after));
      if (query.before !== undefined) conditions.push(lt(events.id, query.before));
      const ascending = query.after !== undefined;
      const rows = await services.runtime.db
        .select({ event: events, queued: eventQueue })
        .from(events)
        .leftJoin(eventQueue, eq(eventQueue.eventId, events.id))
        .where(and(...conditions))
        .orderBy(ascending ? asc(events.id) : desc(events.id))
        .limit(query.limit);
      const last = rows.at(-1);
      return c.json({ events: rows.map((row) => eventView(row.event, row.queued)), nextCursor: rows.length === query.limit && last ? String(last.event.id) : null });
    },
  ),
  operation(
    {
      method: 'get',
      path: '/events/:id',
      tag,
      summary: 'Get one event with its processing state and every delivery made from it',
      responses: {
        200: { description: 'The event and its deliveries', schema: z.object({ event: eventViewSchema, deliveries: z.array(deliveryViewSchema) }) },
        404: { description: 'No such event' },
      },
    },
    async ({ c, services, param }) => {
      const id = eventId.safeParse(param('id'));
      if (!id.success) throw notFound('Event', param('id'));
      const { db } = services.runtime;
      const [row] = await db.select({ event: events, queued: eventQueue }).from(events).leftJoin(eventQueue, eq(eventQueue.eventId, events.id)).where(eq(events.id, id.data));
      if (!row) throw notFound('Event', param('id'));
      const outbox = await db.select().from(deliveries).where(eq(deliveries.eventId, row.event.id)).orderBy(asc(deliveries.id));
      return c.json({ event: eventView(row.event, row.queued), deliveries: outbox.map(deliveryView) });
    },
  ),
];
