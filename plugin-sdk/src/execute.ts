import { createHash } from 'node:crypto';
import type { DeliveryItem, DeliveryResult, DestinationAction, DestinationComponent, BatchSettings, IdentityMerge } from './components.js';
import type { PluginContext } from './context.js';
import type { WeftEvent } from './event.js';
import { isPluginError } from './errors.js';
import { describeIssues } from './issues.js';

/**
 * What the host does with one item after a call: a plugin's own result, or `pause` when the
 * plugin threw an auth/config error (the connector stops until someone fixes it).
 */
export type ExecutionResult = DeliveryResult | { status: 'pause'; reason: string };

/**
 * The idempotency key of one delivery: stable for a connector, an action and an event, so a
 * redelivery after a crash carries the same key and the vendor can drop the duplicate.
 *
 * @example
 * idempotencyKey({ connectorId: 'crm-out', action: 'upsertContact', messageId: 'm-1' }) // 64 hex characters
 */
export function idempotencyKey(delivery: { connectorId: string; action: string; messageId: string }): string {
  // Connector ids and action names never contain NUL, so distinct triples never hash the same input.
  return createHash('sha256').update(`${delivery.connectorId}\u0000${delivery.action}\u0000${delivery.messageId}`).digest('hex');
}

/** Builds and validates an action's payload from an event (its default mapping, or an already mapped value). */
export function buildPayload(
  action: Pick<DestinationAction<unknown>, 'payload' | 'defaultMapping'>,
  event: WeftEvent & { profileId?: string },
  mapped: unknown = action.defaultMapping(event),
): { ok: true; payload: unknown } | { ok: false; reason: string } {
  const parsed = action.payload.safeParse(mapped);
  if (parsed.success) return { ok: true, payload: parsed.data };
  const issues = describeIssues(parsed.error.issues, '(payload)');
  return { ok: false, reason: `payload does not match the action's schema: ${issues.join('; ')}` };
}

/**
 * Splits items into the batches one call may take: at most `maxItems`, at most `maxBytes` of JSON
 * payloads (an oversized single item still gets its own batch), never mixing batch keys.
 */
export function splitIntoBatches<Payload>(items: DeliveryItem<Payload>[], settings: Pick<BatchSettings<Payload>, 'maxItems' | 'maxBytes' | 'key'> | undefined): DeliveryItem<Payload>[][] {
  if (!settings) return items.map((item) => [item]);
  const groups = new Map<string, DeliveryItem<Payload>[]>();
  for (const item of items) {
    const key = settings.key ? settings.key(item.payload) : '';
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const batches: DeliveryItem<Payload>[][] = [];
  for (const group of groups.values()) {
    let current: DeliveryItem<Payload>[] = [];
    let bytes = 0;
    for (const item of group) {
      const size = settings.maxBytes === undefined ? 0 : Buffer.byteLength(JSON.stringify(item.payload));
      const full = current.length >= settings.maxItems || (settings.maxBytes !== undefined && current.length > 0 && bytes + size > settings.maxBytes);
      if (full) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(item);
      bytes += size;
    }
    if (current.length > 0) batches.push(current);
  }
  return batches;
}

/**
 * Calls an action for a batch exactly as the host does and returns one result per item, in order.
 * `performBatch` is preferred when the action has it; thrown errors are classified by the SDK
 * taxonomy (auth/config → pause, rate-limited/transient → retry, validation → fail, anything
 * else → retry), so a plugin never loses or double-counts an item.
 */
export async function performAction<Config>(
  action: Pick<DestinationAction<Config>, 'perform' | 'performBatch'>,
  items: DeliveryItem<unknown>[],
  ctx: PluginContext<Config>,
): Promise<ExecutionResult[]> {
  if (items.length === 0) return [];
  if (action.performBatch) {
    try {
      const results = await action.performBatch(items, ctx);
      if (!Array.isArray(results) || results.length !== items.length) {
        const reason = `plugin returned ${Array.isArray(results) ? results.length : 'no'} results for ${items.length} items`;
        return items.map(() => ({ status: 'retry', reason }));
      }
      return results.map(normalizeResult);
    } catch (error) {
      const result = resultFromError(error);
      return items.map(() => result);
    }
  }
  if (!action.perform) return items.map(() => ({ status: 'fail', reason: 'action has neither perform nor performBatch' }));
  const results: ExecutionResult[] = [];
  for (const item of items) {
    try {
      results.push(normalizeResult((await action.perform(item, ctx)) ?? { status: 'ok' }));
    } catch (error) {
      const result = resultFromError(error);
      results.push(result);
      // Once a connector must pause, calling it again for the rest of the batch only repeats the failure.
      if (result.status === 'pause') {
        while (results.length < items.length) results.push(result);
        break;
      }
    }
  }
  return results;
}

/**
 * Tells a destination about merged profiles exactly as the host does: `onIdentityMerge` once per
 * item, its results and thrown errors classified as `performAction` classifies `perform`'s. A
 * destination without the hook (say, a plugin downgraded since the notice was queued) fails each item.
 *
 * @example
 * const [result] = await notifyIdentityMerge(component, [{ payload: merge, idempotencyKey, messageId, attempt: 1 }], ctx);
 */
export async function notifyIdentityMerge(
  component: Pick<DestinationComponent, 'onIdentityMerge'>,
  items: DeliveryItem<IdentityMerge>[],
  ctx: PluginContext,
): Promise<ExecutionResult[]> {
  if (!component.onIdentityMerge) {
    const { plugin, component: name } = ctx.connector;
    const reason = `the destination '${plugin}/${name}' does not implement onIdentityMerge (any more), so it cannot be told about this merge`;
    return items.map(() => ({ status: 'fail', reason }));
  }
  return performAction({ perform: (item, context) => component.onIdentityMerge!(item as DeliveryItem<IdentityMerge>, context) }, items, ctx);
}

/** Classifies a thrown error into what the host does with the item. */
export function resultFromError(error: unknown): ExecutionResult {
  const message = error instanceof Error ? error.message : String(error);
  if (isPluginError(error)) {
    switch (error.kind) {
      case 'auth':
      case 'config':
        return { status: 'pause', reason: message };
      case 'validation':
        return { status: 'fail', reason: message };
      case 'rate-limited':
      case 'transient': {
        const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
        return retryAfterMs === undefined ? { status: 'retry', reason: message } : { status: 'retry', reason: message, retryAfterMs };
      }
    }
  }
  const name = error instanceof Error ? error.name : 'Error';
  return { status: 'retry', reason: name === 'Error' ? message : `${name}: ${message}` };
}

function normalizeResult(result: DeliveryResult): ExecutionResult {
  if (result && (result.status === 'ok' || result.status === 'retry' || result.status === 'fail')) return result;
  return { status: 'retry', reason: `plugin returned an unknown result ${JSON.stringify(result)}` };
}
