import jsonata from 'jsonata';
import { buildPayload, idempotencyKey, type DestinationComponent, type TransformComponent, type WeftEvent } from '@weft/plugin-sdk';
import type { DeliveryAttempt, PipelineSpec } from '../db/schema/index.js';
import type { Runtime } from '../runtime.js';
import { memoized, type ConnectorCache, type LiveConnector } from './connector-cache.js';

/** One outbox row to write for a routed event. */
export interface OutboxRow {
  connectorId: string;
  action: string;
  idempotencyKey: string;
  eventId: number;
  messageId: string;
  payload: unknown;
  batchKey: string | null;
  /** `dead` when the payload could not be built (the reason is in `lastError`). */
  status: 'pending' | 'dead';
  lastError: string | null;
  history: DeliveryAttempt[];
}

/** What the transforms made of one stored event, per pipeline. */
export type TransformOutcome =
  | { outcome: 'unrouted' }
  | { outcome: 'failed'; error: string }
  | { outcome: 'transformed'; outputs: PipelineOutput[] };

/** A pipeline's transformed events and its destination connectors, loaded before the commit. */
export interface PipelineOutput {
  spec: PipelineSpec;
  events: WeftEvent[];
  destinations: Map<string, LiveConnector>;
}

export interface StoredEvent {
  id: number;
  sourceId: string;
  payload: WeftEvent;
}

/**
 * Runs an event through every enabled pipeline its source feeds: transforms in order (with each
 * step's `onError`), then — once the identity stage has found its profile — one outbox row per
 * destination action that takes the event.
 */
export class EventRouter {
  constructor(
    private readonly runtime: Runtime,
    private readonly cache: ConnectorCache,
  ) {}

  async transform(stored: StoredEvent): Promise<TransformOutcome> {
    const pipelines = await this.runtime.pipelines.forSource(stored.sourceId);
    if (pipelines.length === 0) return { outcome: 'unrouted' };
    const outputs: PipelineOutput[] = [];
    for (const pipeline of pipelines) {
      // Transforms may change the event in place; each pipeline must start from the stored one.
      const input = pipelines.length > 1 && pipeline.spec.transforms.length > 0 ? structuredClone(stored.payload) : stored.payload;
      const transformed = await this.#transform(pipeline.id, pipeline.spec, input);
      if ('error' in transformed) return { outcome: 'failed', error: transformed.error };
      // Load the destinations now: a broken one postpones the event before anything is written,
      // and the commit that follows needs no other database connection (PGlite has one).
      const destinations = new Map<string, LiveConnector>();
      for (const destination of pipeline.spec.destinations) destinations.set(destination.connector, await this.cache.get(destination.connector));
      outputs.push({ spec: pipeline.spec, events: transformed.events, destinations });
    }
    return { outcome: 'transformed', outputs };
  }

  /** The outbox rows of transformed events, each carrying the profile the identity stage found. */
  async fanOut(eventId: number, outputs: PipelineOutput[], profileId: string | undefined): Promise<OutboxRow[]> {
    const rows: OutboxRow[] = [];
    for (const output of outputs) {
      for (const event of output.events) rows.push(...(await this.#fanOut(output, eventId, profileId ? { ...event, profileId } : event)));
    }
    return rows;
  }

  async #transform(pipelineId: string, spec: PipelineSpec, event: WeftEvent): Promise<{ events: WeftEvent[] } | { error: string }> {
    let events = [event];
    for (const [index, step] of spec.transforms.entries()) {
      const connector = await this.cache.get(step.connector);
      if (!connector.row.enabled) continue;
      const component = connector.component as TransformComponent;
      const next: WeftEvent[] = [];
      for (const input of events) {
        try {
          const prepared = await memoized(connector, 'prepare', () => component.prepare?.(connector.ctx));
          next.push(...withDistinctIds(input, await component.transform(input, { ...connector.ctx, prepared })));
        } catch (error) {
          const reason = `pipeline '${pipelineId}', step ${index + 1} ('${step.connector}'): ${describeError(error)}`;
          if (step.onError === 'skip-step') next.push(input);
          else if (step.onError === 'fail') return { error: reason };
          // 'drop': the event simply goes no further.
        }
      }
      events = next;
      if (events.length === 0) break;
    }
    return { events };
  }

  async #fanOut({ spec, destinations }: PipelineOutput, eventId: number, event: WeftEvent & { profileId?: string }): Promise<OutboxRow[]> {
    const rows: OutboxRow[] = [];
    for (const destination of spec.destinations) {
      const connector = destinations.get(destination.connector)!;
      // A disabled destination takes nothing; a paused one keeps queueing until it is fixed.
      if (!connector.row.enabled) continue;
      const component = connector.component as DestinationComponent;
      for (const [name, action] of Object.entries(component.actions)) {
        const override = connector.settings.actions[name];
        if (override?.enabled === false) continue;
        const listed = destination.actions ? destination.actions.includes(name) : true;
        if (!listed || (action.types && !action.types.includes(event.type))) continue;
        rows.push(...(await this.#outboxRow(connector, name, eventId, event)));
      }
    }
    return rows;
  }

  async #outboxRow(connector: LiveConnector, actionName: string, eventId: number, event: WeftEvent & { profileId?: string }): Promise<OutboxRow[]> {
    const action = (connector.component as DestinationComponent).actions[actionName]!;
    const override = connector.settings.actions[actionName];
    const connectorId = connector.row.id;
    const base = { connectorId, action: actionName, idempotencyKey: idempotencyKey({ connectorId, action: actionName, messageId: event.messageId }), eventId, messageId: event.messageId };
    const dead = (reason: string): OutboxRow[] => [
      { ...base, payload: null, batchKey: null, status: 'dead', lastError: reason, history: [{ at: new Date().toISOString(), outcome: 'fail', error: reason }] },
    ];
    let stage = 'filter';
    try {
      if (override?.filter) {
        const filter = await memoized(connector, `filter:${actionName}`, () => jsonata(override.filter!));
        if (!(await filter.evaluate(event))) return [];
      }
      stage = 'mapping';
      let built: ReturnType<typeof buildPayload>;
      if (override?.mapping) {
        const mapping = await memoized(connector, `mapping:${actionName}`, () => jsonata(override.mapping!));
        const mapped: unknown = await mapping.evaluate(event);
        built = mapped === undefined ? { ok: false, reason: 'the JSONata mapping produced no value for this event' } : buildPayload(action, event, mapped);
      } else {
        built = buildPayload(action, event);
      }
      if (!built.ok) return dead(built.reason);
      const batchKey = action.batch?.key ? action.batch.key(built.payload) : null;
      return [{ ...base, payload: built.payload, batchKey, status: 'pending', lastError: null, history: [] }];
    } catch (error) {
      return dead(`the ${stage} of '${connectorId}' action '${actionName}' failed: ${describeError(error)}`);
    }
  }
}

/** Normalises a transform's result to a list, giving split events distinct, stable messageIds. */
function withDistinctIds(input: WeftEvent, result: WeftEvent | WeftEvent[] | null | undefined): WeftEvent[] {
  if (result === null || result === undefined) return [];
  const list = Array.isArray(result) ? result : [result];
  const seen = new Set<string>();
  return list.map((event, index) => {
    const messageId = typeof event.messageId === 'string' && event.messageId ? event.messageId : input.messageId;
    const unique = seen.has(messageId) ? `${messageId}:${index}` : messageId;
    seen.add(unique);
    return unique === event.messageId ? event : { ...event, messageId: unique };
  });
}

/**
 * The message of anything thrown, without a stack. drizzle wraps a database error in its own
 * (`Failed query: <the SQL> params: …`): the database's message is what a person needs.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return error.message.startsWith('Failed query: ') && cause instanceof Error ? cause.message : error.message;
}
