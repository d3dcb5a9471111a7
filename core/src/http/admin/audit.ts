import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { auditLog } from '../../db/schema/index.js';
import { limitSchema, nextCursorSchema } from './schemas.js';
import { operation } from './operation.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface AuditEntry {
  /** The API token id of whoever made the change. */
  actor: string;
  /** `connector.create`, `deliveries.replay`, `apply`, … */
  action: string;
  /** The object changed (`connector:hook-out`), when there is one. */
  target?: string;
  /** What changed, never a secret value. */
  details?: Record<string, unknown>;
}

/**
 * Appends one admin change to `audit_log`.
 *
 * @example
 * await recordAudit(db, { actor: actor.tokenId, action: 'connector.enable', target: 'connector:crm' });
 */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({ actor: entry.actor, action: entry.action, target: entry.target ?? null, details: entry.details ?? null });
}

const auditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string().meta({ format: 'date-time' }),
    actor: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEntry' });

export const auditAnswer = z.object({ entries: z.array(auditEntrySchema), nextCursor: nextCursorSchema });

export const auditOperations = [
  operation(
    {
      method: 'get',
      path: '/audit',
      tag: 'Audit',
      summary: 'List admin changes, newest first',
      query: z.object({ target: z.string().optional(), action: z.string().optional(), limit: limitSchema, cursor: z.string().optional() }),
      responses: { 200: { description: 'A page of audit entries', schema: auditAnswer } },
    },
    async ({ c, services, query }) => {
      const conditions: SQL[] = [];
      if (query.target) conditions.push(eq(auditLog.target, query.target));
      if (query.action) conditions.push(eq(auditLog.action, query.action));
      if (query.cursor) conditions.push(lt(auditLog.id, decodeCursor(query.cursor)));
      const rows = await services.runtime.db
        .select()
        .from(auditLog)
        .where(and(...conditions))
        .orderBy(desc(auditLog.id))
        .limit(query.limit);
      const entries = rows.map((row) => ({ ...row, at: row.at.toISOString() }));
      const last = rows.at(-1);
      return c.json({ entries, nextCursor: rows.length === query.limit && last ? encodeCursor(last.id) : null });
    },
  ),
];
