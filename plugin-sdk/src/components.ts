import type { z } from 'zod';
import type { PluginContext } from './context.js';
import type { EventInput, EventType, WeftEvent } from './event.js';

type ConfigSchema = z.ZodType<Record<string, unknown>, Record<string, unknown>>;
type Awaitable<T> = T | Promise<T>;

/** Hooks every component may have. `check` tests credentials and reachability (`weft connectors test`). */
export interface Lifecycle<Config> {
  /** Throw an SDK error (usually `AuthError` or `ConfigError`) with one clear sentence when something is wrong. */
  check?(ctx: PluginContext<Config>): Awaitable<void>;
  setup?(ctx: PluginContext<Config>): Awaitable<void>;
  teardown?(ctx: PluginContext<Config>): Awaitable<void>;
}

interface ComponentBase<Schema extends ConfigSchema> extends Lifecycle<z.output<Schema>> {
  title?: string;
  description: string;
  config: Schema;
}

// ---------------------------------------------------------------- sources

/** What a push source's `handle` returns: the events to ingest and the response the vendor expects. */
export interface HandleResult {
  events: EventInput[];
  /** Defaults to `200 {"success":true}` once the events are committed. */
  response?: Response;
}

/** A pull stream yields records and, between them, checkpoints; the host saves a checkpoint only after every record before it is committed. */
export type StreamMessage = { record: EventInput } | { checkpoint: Cursor };

/** A cursor pairs a value (e.g. a modified-at time) with a tie-break id, so neither `>` nor `>=` loses rows. */
export interface Cursor {
  value: string | number;
  id?: string;
}

export interface PullStream<Config> {
  description?: string;
  read(ctx: PluginContext<Config> & { cursor: Cursor | undefined }): AsyncIterable<StreamMessage>;
}

export interface SourceComponent<Schema extends ConfigSchema = ConfigSchema> extends ComponentBase<Schema> {
  kind: 'source';
  /** Push: called for every request to `/hooks/:connectorId/*`. Verify the vendor's signature here. */
  handle?(request: Request, ctx: PluginContext<z.output<Schema>>): Awaitable<HandleResult>;
  /** Pull: named streams read on a schedule. */
  streams?: Record<string, PullStream<z.output<Schema>>>;
  /**
   * Static files the source serves under `/sdk/<name>` (the browser SDK, for instance).
   * Loaded lazily so listing plugins never reads them.
   */
  assets?: Record<string, { contentType: string; load(): Awaitable<string | Uint8Array> }>;
}

// ---------------------------------------------------------------- transforms

/** Return the event (changed or not), several events, or `null`/`undefined` to drop it. */
export type TransformResult = WeftEvent | WeftEvent[] | null | undefined;

export interface TransformComponent<Schema extends ConfigSchema = ConfigSchema> extends ComponentBase<Schema> {
  kind: 'transform';
  /** Runs once per connector before any event; compile expressions here. Its result is passed to `transform`. */
  prepare?(ctx: PluginContext<z.output<Schema>>): Awaitable<unknown>;
  transform(event: WeftEvent, ctx: PluginContext<z.output<Schema>> & { prepared: unknown }): Awaitable<TransformResult>;
}

// ---------------------------------------------------------------- identity resolvers

/** A typed identifier; `scope` names the namespace of per-app types (the WeChat app id of an openid). */
export interface Identifier {
  type: string;
  value: string;
  scope?: string;
}

/**
 * What a probabilistic matcher compares: a profile (or an incoming record) as its traits plus its
 * identifiers, keyed by type (`email`, `phone`, …; values already normalised by the host).
 */
export interface MatchRecord {
  id: string;
  traits: Record<string, unknown>;
  identifiers: Record<string, string[]>;
}

/** One field's part in a match score: how similar the two values were and the weight that added. */
export interface FieldContribution {
  field: string;
  /** Comparator that produced `similarity` (`jaro-winkler`, `levenshtein`, `exact`, `numeric`, …). */
  comparator: string;
  /** 0 (different) … 1 (identical); `null` when either side has no value (contributes 0). */
  similarity: number | null;
  /** The comparison level the similarity fell in (e.g. `exact`, `close`, `different`, `missing`). */
  level: string;
  /** log2(m/u) of that level: positive evidence for a match, negative against. */
  weight: number;
}

export interface MatchScore {
  /** Sum of the field weights (plus the prior's log-odds), in bits. */
  weight: number;
  /** Posterior probability that the two records are the same person, 0 … 1. */
  probability: number;
  /** `link` above the upper threshold, `review` between the thresholds, `none` below. */
  decision: 'link' | 'review' | 'none';
  fields: FieldContribution[];
}

/**
 * Probabilistic matching (Fellegi–Sunter style). The host owns the graph: it finds candidates
 * that share a blocking key, asks `compare`, and links, queues for review or leaves them apart.
 */
export interface ProbabilisticMatcher<Config> {
  /**
   * Blocking keys of a record: only records that share at least one key are compared. Return
   * keys of several passes (e.g. surname+postcode, given name+birth date) so one typo does not
   * lose a match. Keys must be strings that compare equal exactly when they should.
   */
  blockingKeys(record: MatchRecord, ctx: PluginContext<Config>): string[];
  /**
   * Learns the model (field m/u probabilities, the prior) from records, e.g. with EM over the
   * pairs that blocking yields. The host stores the JSON result and passes it to `compare`.
   */
  train?(records: MatchRecord[], ctx: PluginContext<Config>): Awaitable<unknown>;
  /** Scores one pair. `model` is what `train` last returned, or `undefined` before any training. */
  compare(a: MatchRecord, b: MatchRecord, ctx: PluginContext<Config> & { model: unknown }): MatchScore;
}

export interface IdentityResolverComponent<Schema extends ConfigSchema = ConfigSchema> extends ComponentBase<Schema> {
  kind: 'identity-resolver';
  /** Deterministic: typed identifiers found in the event (the host adds userId, anonymousId, email, phone, externalIds itself). */
  identifiers?(event: WeftEvent, ctx: PluginContext<z.output<Schema>>): Awaitable<Identifier[]>;
  /** Probabilistic: scored candidate links between profiles. */
  match?: ProbabilisticMatcher<z.output<Schema>>;
}

// ---------------------------------------------------------------- destinations

/** Outcome of delivering one item. */
export type DeliveryResult =
  | { status: 'ok'; response?: unknown }
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  | { status: 'fail'; reason: string };

/** One unit of work for a destination action. Pass `idempotencyKey` to vendors that support one. */
export interface DeliveryItem<Payload> {
  payload: Payload;
  idempotencyKey: string;
  messageId: string;
  /** 1 on the first try. */
  attempt: number;
}

export interface BatchSettings<Payload> {
  /** Most items in one `performBatch` call. */
  maxItems: number;
  /** Most bytes of JSON payloads in one call. */
  maxBytes?: number;
  /** How long a partial batch may wait for more items. */
  maxWaitMs?: number;
  /** Items with different keys never share a batch (e.g. one list id per call). */
  key?(payload: Payload): string;
}

export interface DestinationAction<Config, PayloadSchema extends z.ZodType = z.ZodType> {
  title?: string;
  description: string;
  /** Validates the mapped payload; an invalid payload is dead-lettered with the field errors. */
  payload: PayloadSchema;
  /** Event types this action receives by default (a connector can narrow it with a filter). */
  types?: EventType[];
  /** Builds the payload from the event unless the connector overrides it with a JSONata mapping. */
  defaultMapping(event: WeftEvent & { profileId?: string }): unknown;
  batch?: BatchSettings<z.output<PayloadSchema>>;
  perform?(item: DeliveryItem<z.output<PayloadSchema>>, ctx: PluginContext<Config>): Awaitable<DeliveryResult | void>;
  /** Must return exactly one result per item, in order. */
  performBatch?(items: DeliveryItem<z.output<PayloadSchema>>[], ctx: PluginContext<Config>): Awaitable<DeliveryResult[]>;
}

/**
 * What a destination is told when OneID merges profiles: every profile in `mergedIds` is now the
 * same person as `survivorId`, and events that would have carried a merged id carry `survivorId`.
 * Several merges of one pipeline batch that end in the same survivor (a into b, then b into c)
 * arrive as one merge (`c` absorbing `a` and `b`). Notices are not ordered across batches: apply
 * each as "these ids now mean `survivorId`", and an id may show up as a survivor first and merged later.
 *
 * The identifiers of the merged profiles are not included: which identifier came from which
 * profile is only in the identity ledger, too costly to read while the merge commits. Read them
 * from the profiles API (`GET /api/v1/profiles/<survivorId>`, `weft profiles get`) when a vendor matches on emails.
 *
 * @example
 * { survivorId: 'prf_0b6…', mergedIds: ['prf_9c1…'], rule: 'event', at: '2026-01-31T12:00:00.000Z' }
 */
export interface IdentityMerge {
  /** The profile that lives on: the oldest of them. */
  survivorId: string;
  /** The profiles merged into it, sorted; never empty, never containing `survivorId`. */
  mergedIds: string[];
  /**
   * Why they were merged: `event` (one event carried identifiers of both), `manual` (an operator),
   * `probabilistic:<resolver>` or `review:<resolver>` (a matcher's link); rules of a combined merge are joined by `,`.
   */
  rule: string;
  /** When the merge was committed, ISO 8601 UTC. */
  at: string;
}

export interface DestinationComponent<Schema extends ConfigSchema = ConfigSchema> extends ComponentBase<Schema> {
  kind: 'destination';
  // Payload types vary per action; each is checked where it is defined (defineAction).
  actions: Record<string, DestinationAction<z.output<Schema>, z.ZodType>>;
  /**
   * Called once per merge of profiles (one item per call, never batched), through the outbox like
   * any delivery: at least once, with the same `idempotencyKey` on every attempt (a hash of the
   * connector, the survivor and the merged ids), retries with backoff and dead letters. Results
   * and thrown errors mean exactly what they mean for `perform`: `ok`/nothing, `retry`, `fail`;
   * `TransientError`/`RateLimitedError` retry, `ValidationError` dead-letters, `AuthError`/`ConfigError`
   * pause the connector. Leave it out and the destination is never told about merges.
   *
   * @example
   * async onIdentityMerge({ payload, idempotencyKey }, ctx) {
   *   const response = await ctx.fetch(`${ctx.config.baseUrl}/contacts/merge`, {
   *     method: 'POST', headers: { 'idempotency-key': idempotencyKey },
   *     body: JSON.stringify({ primary: payload.survivorId, secondary: payload.mergedIds }),
   *   });
   *   const error = await classifyHttpResponse(response, 'Acme');
   *   if (error) throw error;
   * }
   */
  onIdentityMerge?(item: DeliveryItem<IdentityMerge>, ctx: PluginContext<z.output<Schema>>): Awaitable<DeliveryResult | void>;
  /** Consent purposes a person must have granted before anything is sent (enforced once consent lands). */
  purposes?: string[];
}

export type Component = SourceComponent | TransformComponent | IdentityResolverComponent | DestinationComponent;
export type ComponentKind = Component['kind'];

/**
 * Defines a source.
 *
 * @example
 * defineSource({ description: 'Signed JSON webhooks', config: z.object({ secret: secret() }),
 *   async handle(request, ctx) { return { events: [await request.json()] } } })
 */
export function defineSource<Schema extends ConfigSchema>(component: Omit<SourceComponent<Schema>, 'kind'>): SourceComponent<Schema> {
  return { kind: 'source', ...component };
}

/**
 * Defines a transform.
 *
 * @example
 * defineTransform({ description: 'Drop test users', config: z.object({}),
 *   transform: (event) => (event.userId?.startsWith('test-') ? null : event) })
 */
export function defineTransform<Schema extends ConfigSchema>(component: Omit<TransformComponent<Schema>, 'kind'>): TransformComponent<Schema> {
  return { kind: 'transform', ...component };
}

/** Defines an identity resolver. */
export function defineIdentityResolver<Schema extends ConfigSchema>(
  component: Omit<IdentityResolverComponent<Schema>, 'kind'>,
): IdentityResolverComponent<Schema> {
  return { kind: 'identity-resolver', ...component };
}

/**
 * Defines a destination with its actions.
 *
 * @example
 * defineDestination({ description: 'POST events', config: z.object({ url: z.url() }),
 *   actions: { send: defineAction({ description: 'Send', payload: z.object({}).loose(), defaultMapping: (e) => e,
 *     async perform({ payload }, ctx) { await ctx.fetch(ctx.config.url, { method: 'POST', body: JSON.stringify(payload) }) } }) } })
 */
export function defineDestination<Schema extends ConfigSchema>(component: Omit<DestinationComponent<Schema>, 'kind'>): DestinationComponent<Schema> {
  return { kind: 'destination', ...component };
}

/**
 * Defines one destination action with its payload type inferred from `payload`. Pass the
 * destination's config schema first to have `ctx.config` typed in `perform`: TypeScript cannot
 * carry the config type in from the surrounding `defineDestination` call.
 *
 * @example
 * defineAction(config, { description: 'Send', payload: z.object({ email: z.email() }),
 *   defaultMapping: (event) => ({ email: event.traits?.['email'] }),
 *   async perform({ payload }, ctx) { await ctx.fetch(`${ctx.config.url}/contacts`, { method: 'POST', body: JSON.stringify(payload) }) } })
 */
export function defineAction<Schema extends ConfigSchema, PayloadSchema extends z.ZodType>(
  config: Schema,
  action: DestinationAction<z.output<Schema>, PayloadSchema>,
): DestinationAction<z.output<Schema>, PayloadSchema>;
export function defineAction<Config, PayloadSchema extends z.ZodType>(action: DestinationAction<Config, PayloadSchema>): DestinationAction<Config, PayloadSchema>;
export function defineAction(configOrAction: unknown, action?: unknown): unknown {
  return action ?? configOrAction;
}

/** Result helpers for `perform`/`performBatch`. */
export const ok = (response?: unknown): DeliveryResult => (response === undefined ? { status: 'ok' } : { status: 'ok', response });
export const retry = (reason: string, retryAfterMs?: number): DeliveryResult =>
  retryAfterMs === undefined ? { status: 'retry', reason } : { status: 'retry', reason, retryAfterMs };
export const fail = (reason: string): DeliveryResult => ({ status: 'fail', reason });
