import { and, asc, count, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { deliveries, type DeliveryAttempt } from '../../db/schema/index.js';
import { recordAudit } from './audit.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { operation } from './operation.js';
import { deliveryViewSchema, isoTimeInput, limitSchema, nextCursorSchema } from './schemas.js';
import { deliveryView } from './views.js';

const tag = 'Deliveries';

/** Filters shared by listing and replaying: which connector, which time range (on `updatedAt`), which error. */
const deliveryFilters = {
  connector: z.string().optional().meta({ description: 'Destination connector id' }),
  since: isoTimeInput.optional().meta({ description: 'updatedAt at or after this ISO time' }),
  until: isoTimeInput.optional().meta({ description: 'updatedAt at or before this ISO time' }),
  error: z.string().min(1).optional().meta({ description: 'Case-insensitive substring of the last error' }),
};

export const listDeliveriesQuery = z.object({
  ...deliveryFilters,
  status: z.enum(['pending', 'delivered', 'dead']).optional(),
  limit: limitSchema,
  cursor: z.string().optional(),
});

export const replayBody = z
  .object({
    ...deliveryFilters,
    ids: z.array(z.number().int()).min(1).optional().meta({ description: 'Only these delivery ids' }),
    limit: z.number().int().min(1).max(10_000).default(500).meta({ description: 'Most dead letters moved by this call' }),
    dryRun: z.boolean().default(false).meta({ description: 'Only count what would be replayed' }),
  })
  .strict();

export const replayAnswer = z.object({
  matched: z.number().int().meta({ description: 'Dead letters matching the filters' }),
  replayed: z.number().int().meta({ description: 'Moved back to pending by this call' }),
  remaining: z.number().int().meta({ description: 'Matching dead letters left: call again while > 0' }),
});

export const deliveriesAnswer = z.object({ deliveries: z.array(deliveryViewSchema), nextCursor: nextCursorSchema });

type Filters = { connector?: string | undefined; since?: Date | undefined; until?: Date | undefined; error?: string | undefined; ids?: number[] | undefined };

function filterConditions(filters: Filters): SQL[] {
  const conditions: SQL[] = [];
  if (filters.connector) conditions.push(eq(deliveries.connectorId, filters.connector));
  if (filters.since) conditions.push(gte(deliveries.updatedAt, filters.since));
  if (filters.until) conditions.push(lte(deliveries.updatedAt, filters.until));
  if (filters.error) conditions.push(sql`strpos(lower(${deliveries.lastError}), lower(${filters.error})) > 0`);
  if (filters.ids) conditions.push(inArray(deliveries.id, filters.ids));
  return conditions;
}

/**
 * Moves up to `limit` matching dead letters back to pending, due now, with attempts reset and a
 * `replayed` entry in their history. Returns what matched, what moved, and the connectors touched.
 *
 * @example
 * await replayDeadLetters(db, { connector: 'crm-hook', error: '400', limit: 500, dryRun: false });
 */
export async function replayDeadLetters(db: Db, filters: Filters & { limit: number; dryRun: boolean }) {
  const where = and(eq(deliveries.status, 'dead'), ...filterConditions(filters));
  return db.transaction(async (tx) => {
    const [counted] = await tx.select({ matched: count() }).from(deliveries).where(where);
    const matched = Number(counted?.matched ?? 0);
    if (filters.dryRun || matched === 0) return { matched, replayed: 0, remaining: matched, connectors: [] as string[] };
    const note: DeliveryAttempt = { at: new Date().toISOString(), outcome: 'replayed' };
    const chosen = tx.select({ id: deliveries.id }).from(deliveries).where(where).orderBy(asc(deliveries.id)).limit(filters.limit).for('update', { skipLocked: true });
    const moved = await tx
      .update(deliveries)
      .set({
        status: 'pending',
        attempts: 0,
        nextAttemptAt: sql`now()`,
        updatedAt: sql`now()`,
        history: sql`${deliveries.history} || ${JSON.stringify([note])}::jsonb`,
      })
      .where(inArray(deliveries.id, chosen))
      .returning({ connectorId: deliveries.connectorId });
    const connectors = [...new Set(moved.map((row) => row.connectorId))];
    return { matched, replayed: moved.length, remaining: matched - moved.length, connectors };
  });
}

export const deliveryOperations = [
  operation(
    {
      method: 'get',
      path: '/deliveries',
      tag,
      summary: 'List outbox rows (dead letters with status=dead), newest first',
      query: listDeliveriesQuery,
      responses: { 200: { description: 'A page of deliveries', schema: deliveriesAnswer } },
    },
    async ({ c, services, query }) => {
      const conditions = filterConditions(query);
      if (query.status) conditions.push(eq(deliveries.status, query.status));
      if (query.cursor) conditions.push(lt(deliveries.id, decodeCursor(query.cursor)));
      const rows = await services.runtime.db
        .select()
        .from(deliveries)
        .where(and(...conditions))
        .orderBy(desc(deliveries.id))
        .limit(query.limit);
      const last = rows.at(-1);
      return c.json({ deliveries: rows.map(deliveryView), nextCursor: rows.length === query.limit && last ? encodeCursor(last.id) : null });
    },
  ),
  operation(
    {
      method: 'post',
      path: '/deliveries/replay',
      tag,
      summary: 'Re-drive dead letters: back to pending with attempts reset',
      body: replayBody,
      responses: { 200: { description: 'Counts', schema: replayAnswer } },
    },
    async ({ c, services, body, actor }) => {
      const { connectors, ...counts } = await replayDeadLetters(services.runtime.db, body);
      for (const connectorId of connectors) services.runtime.signals.deliveriesQueued(connectorId);
      if (!body.dryRun) {
        const { dryRun: _dryRun, ...filters } = body;
        await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'deliveries.replay', details: { filters, ...counts } });
      }
      return c.json(counts);
    },
  ),
];
