import type { Component, ComponentKind } from '../components.js';
import { secretPaths, splitSecrets } from '../config.js';
import type { KeyValueStore, PluginContext } from '../context.js';
import { isPluginError, type ErrorKind } from '../errors.js';
import { eventInputSchema, toWeftEvent, type EventInput, type WeftEvent } from '../event.js';
import { describeIssues } from '../issues.js';
import type { PluginDefinition } from '../plugin.js';
import { createTestContext, type LogLine, type RecordedFetch } from './context.js';

/** A harness call that cannot run as asked: an unknown component, a bad config, an invalid test event. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
}

/** How a harnessed connector is set up. */
export interface ConnectorOptions {
  /** The connector's config, parsed with the component's zod schema as the host does. */
  config: unknown;
  /** The connector id hooks see in `ctx.connector.id` (default `test-<component>`). */
  connectorId?: string;
  /** Default per-call timeout of `ctx.fetch` (default 5000 ms). */
  timeoutMs?: number;
  /** Clock for the store's TTLs (default `Date.now`). */
  now?: () => number;
}

/** What one harness call captured: the lines logged and the HTTP calls made during it. */
export interface Captured {
  logs: LogLine[];
  requests: RecordedFetch[];
}

/** The outcome of `check()`: passed, or the error and the host's reading of it. */
export type CheckOutcome = Captured &
  ({ ok: true } | { ok: false; kind: ErrorKind | undefined; message: string; error: unknown });

/** One configured instance of a component, as a connector: its context and everything it captured so far. */
export interface ConnectorHarness<Config = Record<string, unknown>> {
  readonly pluginId: string;
  readonly componentName: string;
  /** The config after parsing (defaults applied). */
  readonly config: Config;
  /** The secret values of the config, for asserting that none leaks. */
  readonly secretValues: string[];
  readonly context: PluginContext<Config>;
  /** Every line logged since the connector was created. */
  readonly logs: LogLine[];
  /** Every HTTP call made since the connector was created. */
  readonly requests: RecordedFetch[];
  readonly store: KeyValueStore;
  /** Runs `check()` (passes when the component has none). */
  check(): Promise<CheckOutcome>;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Aborts `ctx.signal`, as the host does on shutdown. */
  shutdown(): void;
  /** Runs `work` and returns its result with the logs and requests it produced. */
  capture<T>(work: () => Promise<T>): Promise<{ value: T } & Captured>;
}

/** An event for a harness: Segment-style input, or an already ingested event (optionally with `profileId`). */
export type TestEvent = EventInput | (WeftEvent & { profileId?: string });

/**
 * Turns a test event into the event hooks receive, validating it as ingest does. An event that
 * already has a `receivedAt` keeps it (pin it, with `messageId`, to get the same event twice).
 *
 * @example
 * const event = makeEvent({ type: 'track', event: 'Order Completed', userId: 'u1' }); // messageId, timestamp, receivedAt filled in
 */
export function makeEvent(input: TestEvent, receivedAt: Date = receivedAtOf(input) ?? new Date()): WeftEvent & { profileId?: string } {
  const parsed = eventInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues, '(event)');
    throw new HarnessError(`The test event is not a valid event: ${issues.join('; ')}`);
  }
  return toWeftEvent(parsed.data, receivedAt);
}

function receivedAtOf(input: TestEvent): Date | undefined {
  const value = (input as { receivedAt?: unknown }).receivedAt;
  const date = typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** Finds a component (of the expected kind, when one is given) and builds a connector for it, parsing the config. */
export function openConnector<Kind extends ComponentKind>(
  plugin: PluginDefinition,
  componentName: string,
  kind: Kind | undefined,
  options: ConnectorOptions,
): { component: Extract<Component, { kind: Kind }>; connector: ConnectorHarness } {
  const component = plugin.components[componentName];
  if (!component) {
    const known = Object.keys(plugin.components).join(', ');
    throw new HarnessError(`Plugin '${plugin.id}' has no component '${componentName}' (it has: ${known})`);
  }
  if (kind !== undefined && component.kind !== kind) throw new HarnessError(`Component '${plugin.id}/${componentName}' is a ${component.kind}, not a ${kind}`);
  const parsed = component.config.safeParse(options.config);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues, '(config)');
    throw new HarnessError(`Config for '${plugin.id}/${componentName}' is invalid: ${issues.join('; ')}`);
  }
  const config = parsed.data;
  const connectorId = options.connectorId ?? `test-${componentName}`;
  const test = createTestContext({
    config,
    connector: { id: connectorId, name: connectorId, plugin: plugin.id, component: componentName },
    timeoutMs: options.timeoutMs ?? 5_000,
    ...(options.now ? { now: options.now } : {}),
  });
  const capture = async <T>(work: () => Promise<T>) => {
    const [logsBefore, requestsBefore] = [test.logs.length, test.requests.length];
    const value = await work();
    return { value, logs: test.logs.slice(logsBefore), requests: test.requests.slice(requestsBefore) };
  };
  const connector: ConnectorHarness = {
    pluginId: plugin.id,
    componentName,
    config,
    secretValues: secretValuesOf(config, secretPaths(component.config)),
    context: test.context,
    logs: test.logs,
    requests: test.requests,
    store: test.store,
    async check() {
      const { value, logs, requests } = await capture(() => runCheck(component, test.context));
      return { ...value, logs, requests };
    },
    async setup() {
      await component.setup?.(test.context);
    },
    async teardown() {
      await component.teardown?.(test.context);
    },
    shutdown: test.shutdown,
    capture,
  };
  return { component: component as Extract<Component, { kind: Kind }>, connector };
}

async function runCheck(
  component: Component,
  context: PluginContext,
): Promise<{ ok: true } | { ok: false; kind: ErrorKind | undefined; message: string; error: unknown }> {
  try {
    await component.check?.(context);
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      kind: isPluginError(error) ? error.kind : undefined,
      message: error instanceof Error ? error.message : String(error),
      error,
    };
  }
}

function secretValuesOf(config: Record<string, unknown>, paths: string[]): string[] {
  return Object.values(splitSecrets(config, paths).secrets).filter((value): value is string => typeof value === 'string' && value.length > 0);
}
