import { and, eq, sql } from 'drizzle-orm';
import { idempotencyKey, type DestinationComponent, type IdentityMerge } from '@weft/plugin-sdk';
import { connectors } from '../db/schema/index.js';
import type { Runtime } from '../runtime.js';
import type { ConnectorCache, LiveConnector } from '../engine/connector-cache.js';
import type { OutboxRow } from '../engine/router.js';
import type { Run } from '../db/client.js';

/**
 * The action name of merge notices in the outbox. Plugins cannot name an action `$…`, so a notice
 * is never taken for an action's delivery.
 */
export const mergeNoticeAction = '$identity-merge';

/** One merge the identity stage committed, and the event that caused it (its row carries that event's id). */
export interface CommittedMerge {
  survivor: string;
  loser: string;
  rule: string;
  eventId: number;
}

/**
 * The destination connectors to tell about merges: enabled ones (paused included: they keep
 * queueing) whose component implements `onIdentityMerge`. Load them before the pipeline's
 * transaction opens, as the router loads its destinations: PGlite has one connection, so nothing
 * may query beside the transaction. A connector that cannot be loaded is left out and logged;
 * holding up every event for it would stop ingestion.
 *
 * @example
 * const targets = await mergeNoticeTargets(runtime, cache); // before db.transaction(…)
 */
export async function mergeNoticeTargets(runtime: Runtime, cache: ConnectorCache): Promise<LiveConnector[]> {
  const rows = await runtime.db
    .select({ id: connectors.id })
    .from(connectors)
    .where(and(eq(connectors.kind, 'destination'), eq(connectors.enabled, true)));
  const targets: LiveConnector[] = [];
  for (const { id } of rows) {
    try {
      const connector = await cache.get(id);
      if (typeof (connector.component as DestinationComponent).onIdentityMerge === 'function') targets.push(connector);
    } catch (error) {
      runtime.logger.error({ connector: id, err: error }, 'merge notices: cannot load this destination; it is not told about the merges of this batch');
    }
  }
  return targets;
}

/**
 * The outbox rows that tell each target about merges. Merges that end in one survivor (a into b,
 * then b into c) become one notice (c absorbed a and b), so a destination never applies them in the
 * wrong order. Each row carries the id of the first event behind its merges: `commitRoutingIn`
 * writes rows only for events whose claim still holds, so the notices commit exactly when the merges do.
 *
 * @example
 * rows.push(...mergeNoticeRows(targets, [{ survivor: 'prf_a', loser: 'prf_b', rule: 'event', eventId: 42 }], new Date()));
 */
export function mergeNoticeRows(targets: LiveConnector[], merges: CommittedMerge[], at: Date): OutboxRow[] {
  if (targets.length === 0) return [];
  const rows: OutboxRow[] = [];
  for (const notice of combineMerges(merges, at)) {
    // Deterministic, so the same merge committed twice (a batch retried after a deadlock) is one row.
    const messageId = `merge:${notice.merge.survivorId}:${notice.merge.mergedIds.join(',')}`;
    for (const target of targets) {
      const connectorId = target.row.id;
      rows.push({
        connectorId,
        action: mergeNoticeAction,
        idempotencyKey: idempotencyKey({ connectorId, action: mergeNoticeAction, messageId }),
        eventId: notice.eventId,
        messageId,
        payload: notice.merge,
        batchKey: null,
        status: 'pending',
        lastError: null,
        history: [],
      });
    }
  }
  return rows;
}

/** Groups merges by the profile they finally live on in, in the order the survivors first appear. */
function combineMerges(merges: CommittedMerge[], at: Date): Array<{ merge: IdentityMerge; eventId: number }> {
  const mergedInto = new Map(merges.map((merge) => [merge.loser, merge.survivor]));
  const finalSurvivor = (id: string) => {
    let current = id;
    // Bounded: a chain never loops, but a pipeline worker must not spin if one ever did.
    for (let hops = 0; mergedInto.has(current) && hops < merges.length; hops++) current = mergedInto.get(current)!;
    return current;
  };
  const groups = new Map<string, { merged: Set<string>; rules: Set<string>; eventId: number }>();
  for (const merge of merges) {
    const survivor = finalSurvivor(merge.loser);
    const group = groups.get(survivor) ?? { merged: new Set(), rules: new Set(), eventId: merge.eventId };
    group.merged.add(merge.loser);
    group.rules.add(merge.rule);
    groups.set(survivor, group);
  }
  const iso = at.toISOString();
  return [...groups].map(([survivorId, group]) => ({
    merge: { survivorId, mergedIds: [...group.merged].filter((id) => id !== survivorId).sort(), rule: [...group.rules].join(','), at: iso },
    eventId: group.eventId,
  }));
}

/**
 * Writes merge notices of a merge that no event caused (by hand, a review, a probabilistic
 * resolver) inside that merge's transaction, so they commit exactly when it does.
 *
 * @returns the connectors that got a notice.
 */
export async function insertMergeNotices(run: Run, targets: LiveConnector[], merge: Omit<CommittedMerge, 'eventId'>, at = new Date()): Promise<string[]> {
  const rows = mergeNoticeRows(targets, [{ ...merge, eventId: 0 }], at);
  if (rows.length === 0) return [];
  const records = rows.map((row) => ({ connector_id: row.connectorId, action: row.action, idempotency_key: row.idempotencyKey, message_id: row.messageId, payload: row.payload }));
  await run(sql`
    insert into deliveries (connector_id, action, idempotency_key, event_id, message_id, payload, status, history)
    select r.connector_id, r.action, r.idempotency_key, null, r.message_id, r.payload, 'pending', '[]'::jsonb
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(connector_id text, action text, idempotency_key text, message_id text, payload jsonb)
    on conflict (idempotency_key) do nothing`);
  return [...new Set(rows.map((row) => row.connectorId))];
}
