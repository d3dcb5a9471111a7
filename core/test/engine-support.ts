// Shared set-up of the engine tests: test plugins (a source, transforms, an HTTP destination),
// a runtime on a fresh database, and helpers to ingest events and wait for outcomes.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  ValidationError,
  classifyHttpResponse,
  defineAction,
  defineDestination,
  definePlugin,
  defineSource,
  defineTransform,
  fail,
  ok,
  type DeliveryItem,
  type DeliveryResult,
  type PluginContext,
  type WeftEvent,
} from '@weft/plugin-sdk';
import { IngestWriter } from '../src/ingest/writer.js';
import { openDatabase } from '../src/db/client.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { createTestRuntime, type TestRuntime } from '../test-support/index.js';

const receiverConfig = z.object({ url: z.string() });
const sendPayload = z.looseObject({ messageId: z.string(), event: z.string().optional() });

/** POSTs the payloads as `{batch}` with the idempotency keys in a header; `{failed: [indexes]}` in the answer fails those items. */
async function postBatch(items: Array<DeliveryItem<unknown>>, ctx: PluginContext<z.output<typeof receiverConfig>>): Promise<DeliveryResult[]> {
  const response = await ctx.fetch(ctx.config.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': items.map((item) => item.idempotencyKey).join(',') },
    body: JSON.stringify({ batch: items.map((item) => item.payload) }),
  });
  const error = await classifyHttpResponse(response, 'test receiver');
  if (error) throw error;
  const answer = (await response.json().catch(() => ({}))) as { failed?: number[] };
  return items.map((_, index): DeliveryResult => (answer.failed?.includes(index) ? fail(`receiver refused item ${index}`) : ok()));
}

export const enginePlugin = definePlugin({
  id: 'engine-test',
  version: '1.0.0',
  sdk: '^0.1.0',
  description: 'Components for the engine tests',
  components: {
    source: defineSource({ description: 'Events through the tracking API', config: z.object({}), assets: { 'none.js': { contentType: 'text/javascript', load: () => '' } } }),
    tag: defineTransform({
      description: 'Appends its label to properties.steps',
      config: z.object({ label: z.string() }),
      prepare: (ctx) => ({ preparedAt: Date.now(), label: ctx.config.label }),
      transform: (event, ctx) => {
        const { label } = ctx.prepared as { label: string };
        const steps = [...((event.properties?.steps as string[] | undefined) ?? []), label];
        return { ...event, properties: { ...event.properties, steps } };
      },
    }),
    boom: defineTransform({
      description: 'Throws for events named "Bad"',
      config: z.object({}),
      transform: (event) => {
        if (event.event === 'Bad') throw new ValidationError('cannot handle Bad events');
        return event;
      },
    }),
    stamp: defineTransform({
      description: 'Counts in properties.stamps, changing the event in place',
      config: z.object({}),
      transform: (event) => {
        const properties = (event.properties ??= {});
        properties.stamps = ((properties.stamps as number | undefined) ?? 0) + 1;
        return event;
      },
    }),
    counted: defineTransform({
      description: 'Passes events through; counts its prepare() calls in prepareCalls',
      config: z.object({ version: z.number().default(1) }),
      prepare: (ctx) => prepareCalls.set(ctx.connector.id, (prepareCalls.get(ctx.connector.id) ?? 0) + 1),
      transform: (event) => event,
    }),
    drop: defineTransform({ description: 'Drops every event', config: z.object({}), transform: () => null }),
    split: defineTransform({ description: 'Turns each event into two', config: z.object({}), transform: (event) => [event, { ...event, event: `${event.event} (copy)` }] }),
    http: defineDestination({
      description: 'POSTs {batch:[payloads]}; the receiver may fail single items by listing their indexes in `failed`',
      config: receiverConfig,
      actions: {
        send: defineAction({
          description: 'Send events',
          payload: sendPayload,
          defaultMapping: (event) => event,
          batch: { maxItems: 50 },
          performBatch: postBatch,
        }),
        identify: defineAction({
          description: 'Only identify events',
          types: ['identify'],
          payload: z.looseObject({ userId: z.string() }),
          defaultMapping: (event) => ({ userId: event.userId }),
          async perform() {
            return ok();
          },
        }),
      },
    }),
    collecting: defineDestination({
      description: 'Like http, but a partial batch waits up to a minute for more items',
      config: receiverConfig,
      actions: {
        send: defineAction({
          description: 'Send events in batches of four',
          payload: sendPayload,
          defaultMapping: (event) => event,
          batch: { maxItems: 4, maxWaitMs: 60_000 },
          performBatch: postBatch,
        }),
      },
    }),
  },
});

/** How many times the `counted` transform's prepare() ran, per connector id. */
export const prepareCalls = new Map<string, number>();
export interface EngineTestRuntime extends TestRuntime {
  ingest: IngestWriter;
  /** Changes a connector's settings or config (the caches see the new `updated_at`). */
  connectorsUpdate(id: string, patch: Parameters<TestRuntime['runtime']['connectors']['update']>[1]): Promise<void>;
}

export async function createEngineRuntime(): Promise<EngineTestRuntime> {
  const test = await createTestRuntime({}, { skipWorkspacePlugins: true });
  test.runtime.registry.register(enginePlugin, 'installed', 'inline');
  return {
    ...test,
    ingest: new IngestWriter(test.runtime),
    async connectorsUpdate(id, patch) {
      await test.runtime.connectors.update(id, patch);
    },
  };
}

/**
 * Another Weft "process" on the same database: its own runtime (signals, caches, metrics) and,
 * on PostgreSQL, its own connection pool. PGlite has one connection, so it shares that.
 */
export async function createSecondRuntime(test: TestRuntime): Promise<{ runtime: Runtime; close(): Promise<void> }> {
  const database = test.url ? await openDatabase({ url: test.url, maxConnections: 4 }) : test.runtime.database;
  const runtime = await createRuntime(test.runtime.config, { database, skipWorkspacePlugins: true });
  runtime.registry.register(enginePlugin, 'installed', 'inline');
  return {
    runtime,
    async close() {
      runtime.shutdown.abort();
      if (test.url) await database.close();
    },
  };
}

let counter = 0;

/** A complete, ingested-shape track event. */
export function trackEvent(event = 'Order Completed', extra: Partial<WeftEvent> = {}): WeftEvent {
  const now = new Date().toISOString();
  return { type: 'track', messageId: `m-${process.pid}-${++counter}`, userId: 'u-1', event, properties: {}, timestamp: now, receivedAt: now, ...extra };
}

export async function eventStates(test: TestRuntime): Promise<Array<{ message_id: string; state: string; error: string | null }>> {
  return test.runtime.database.query(sql`
    select e.message_id, coalesce(q.state, 'done') as state, q.error from events e left join event_queue q on q.event_id = e.id order by e.id`);
}

export async function deliveryRows(test: TestRuntime, connectorId?: string) {
  const rows = await test.runtime.database.query<{
    connector_id: string;
    action: string;
    message_id: string;
    status: string;
    attempts: number;
    last_error: string | null;
    payload: Record<string, unknown>;
    history: Array<{ outcome: string; error?: string; nextAttemptAt?: string; at: string }>;
    next_attempt_at: Date | string;
  }>(sql`select connector_id, action, message_id, status, attempts, last_error, payload, history, next_attempt_at from deliveries order by id`);
  return connectorId ? rows.filter((row) => row.connector_id === connectorId) : rows;
}

/** Polls until `condition` holds (bounded); the failure message says what was awaited. */
export async function waitUntil<T>(what: string, condition: () => Promise<T | false | undefined> | T | false | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
