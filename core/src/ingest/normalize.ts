import { eventInputSchema, eventTypes, toWeftEvent, type EventType, type WeftEvent } from '@weft/plugin-sdk';
import { WeftError, zodIssues, type FieldIssue } from '../errors.js';
import { jsonSizeBound } from './json.js';
import { formatBytes, ingestLimits } from './limits.js';
import { tooLarge } from './body.js';

/** Which tracking endpoint a body came to: one of the six event types, or `batch`. */
export type IngestEndpoint = EventType | 'batch';

export const ingestEndpoints: readonly IngestEndpoint[] = [...eventTypes, 'batch'];

export interface NormalizeOptions {
  /** Server time the request arrived; becomes every event's `receivedAt`. */
  receivedAt: Date;
  /** The endpoint's event type, which wins over the body's `type`. */
  type?: EventType | undefined;
  /** Batch-level `context`, `integrations` and `sentAt`; the event's own fields win. */
  defaults?: BatchDefaults | undefined;
  /** Prefix of issue paths (`batch.3`), so a person can find the event at fault. */
  path?: string | undefined;
}

export interface BatchDefaults {
  context?: unknown;
  integrations?: unknown;
  sentAt?: unknown;
}

type NormalizeResult =
  | { event: WeftEvent; issues?: undefined; /** Upper bound of the input's JSON size in bytes. */ sizeBound: number }
  | { event?: undefined; issues: FieldIssue[] };

/** The most issues one answer lists; a batch of 2,500 broken events needs no 2,500-line reply. */
const maxReportedIssues = 50;

/**
 * Validates one incoming event and turns it into a `WeftEvent`: unknown fields kept, `writeKey`
 * dropped, a `messageId` generated when missing, `receivedAt` set, `timestamp` corrected for the
 * client's clock skew as Segment does.
 *
 * @example
 * const result = normalizeEvent({ userId: 'u1', event: 'Signed Up' }, { receivedAt: new Date(), type: 'track' });
 * if (result.issues) throw invalidEvents(result.issues);
 */
export function normalizeEvent(input: unknown, options: NormalizeOptions): NormalizeResult {
  const path = options.path ?? '';
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { issues: [{ path: path || '(root)', message: `must be a JSON object (one event), received ${describe(input)}` }] };
  }
  const sizeBound = jsonSizeBound(input, ingestLimits.maxJsonDepth);
  if (sizeBound < 0) {
    return { issues: [{ path: path || '(root)', message: `nests objects or arrays more than ${ingestLimits.maxJsonDepth} levels deep` }] };
  }
  const parsed = eventInputSchema.safeParse(prepareFields(input as Record<string, unknown>, options));
  if (!parsed.success) return { issues: zodIssues(parsed.error.issues, path) };
  // The SDK completes it (messageId, receivedAt, clock-skew correction) exactly as its test harness does.
  const event = toWeftEvent(parsed.data, options.receivedAt);
  if (event.writeKey !== undefined) delete event.writeKey;
  return { event, sizeBound };
}

/** The fields to validate: the input itself, or a copy when the endpoint type, batch defaults or date padding change it. */
function prepareFields(input: Record<string, unknown>, options: NormalizeOptions): Record<string, unknown> {
  const retype = options.type !== undefined && input.type !== options.type;
  const defaults = options.defaults && hasBatchDefaults(options.defaults) ? options.defaults : undefined;
  const dates = shortDateFields(input);
  if (!retype && !defaults && dates.length === 0) return input;
  const fields = { ...input };
  if (retype) fields.type = options.type;
  if (defaults) applyBatchDefaults(fields, defaults);
  for (const key of dates) fields[key] = padShortDate(fields[key] as string);
  return fields;
}

/**
 * Validates and normalises every event of a request body: one event for `/v1/<type>`,
 * `{ batch: [...] }` for `/v1/batch` (and for `endpoint` undefined when the body has a `batch`).
 * All or nothing: one invalid event rejects the whole request with every problem listed.
 *
 * @example
 * const events = eventsFromBody(await request.json(), { endpoint: 'batch', receivedAt: new Date() });
 */
export function eventsFromBody(body: unknown, options: { endpoint?: IngestEndpoint | undefined; receivedAt: Date; bodyBytes?: number }): WeftEvent[] {
  const isBatch = options.endpoint === 'batch' || (options.endpoint === undefined && Array.isArray((body as { batch?: unknown } | null)?.batch));
  if (!isBatch) {
    const type = options.endpoint as EventType | undefined;
    return normalizeEvents([body], { receivedAt: options.receivedAt, type, single: true, bodyBytes: options.bodyBytes });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidEvents([{ path: '(root)', message: `must be a JSON object with a "batch" array, received ${describe(body)}` }]);
  }
  const { batch, context, integrations, sentAt } = body as Record<string, unknown>;
  if (!Array.isArray(batch)) throw invalidEvents([{ path: 'batch', message: `must be an array of events, received ${describe(batch)}` }]);
  for (const [key, value] of Object.entries({ context, integrations })) {
    if (value !== undefined && value !== null && !isPlainObject(value)) {
      throw invalidEvents([{ path: key, message: `must be an object shared by every event, received ${describe(value)}` }]);
    }
  }
  if (batch.length === 0) throw invalidEvents([{ path: 'batch', message: 'must contain at least one event' }]);
  if (batch.length > ingestLimits.maxBatchEvents) {
    throw tooLarge(`The batch has ${batch.length} events; the limit is ${ingestLimits.maxBatchEvents} per request`);
  }
  return normalizeEvents(batch, { receivedAt: options.receivedAt, defaults: { context, integrations, sentAt }, pathPrefix: 'batch', bodyBytes: options.bodyBytes });
}

/**
 * Normalises a list of events all or nothing: throws a 400 listing every problem (paths
 * `<pathPrefix>.<index>.<field>`), or a 413 naming an event over 32 KB.
 *
 * @example
 * const events = normalizeEvents(result.events, { receivedAt: new Date(), pathPrefix: 'events' });
 */
export function normalizeEvents(
  inputs: unknown[],
  options: {
    receivedAt: Date;
    type?: EventType | undefined;
    defaults?: BatchDefaults;
    pathPrefix?: string;
    /** Single-event endpoint: issue paths name fields only (`userId`, not `0.userId`). */
    single?: boolean;
    /** Size of the request the events came in; when under the per-event limit no event is measured. */
    bodyBytes?: number | undefined;
  },
): WeftEvent[] {
  const events: WeftEvent[] = [];
  const issues: FieldIssue[] = [];
  const measure = options.bodyBytes === undefined || options.bodyBytes > ingestLimits.maxEventBytes;
  inputs.forEach((input, index) => {
    const path = options.single ? '' : options.pathPrefix ? `${options.pathPrefix}.${index}` : String(index);
    const result = normalizeEvent(input, { receivedAt: options.receivedAt, type: options.type, defaults: options.defaults, path });
    if (result.issues) {
      if (issues.length < maxReportedIssues) issues.push(...result.issues.slice(0, maxReportedIssues - issues.length));
      return;
    }
    if (measure && result.sizeBound > ingestLimits.maxEventBytes) assertEventSize(input, path);
    events.push(result.event);
  });
  if (issues.length > 0) throw invalidEvents(issues);
  return events;
}

/** The 400 for events that failed validation; `issues` name each field. */
export function invalidEvents(issues: FieldIssue[]): WeftError {
  const message = issues.length === 1 ? `Invalid event: ${issues[0]!.path}: ${issues[0]!.message}` : `${issues.length} problems in the events; see issues`;
  return new WeftError(400, 'invalid_event', message, issues);
}

function assertEventSize(input: unknown, path: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(input));
  if (bytes > ingestLimits.maxEventBytes) {
    const which = path ? `Event ${path}` : 'The event';
    throw tooLarge(`${which} is ${formatBytes(bytes)}; the limit is ${formatBytes(ingestLimits.maxEventBytes)} per event`);
  }
}

function hasBatchDefaults(defaults: BatchDefaults): boolean {
  return isPlainObject(defaults.context) || isPlainObject(defaults.integrations) || (defaults.sentAt !== undefined && defaults.sentAt !== null);
}

function applyBatchDefaults(fields: Record<string, unknown>, defaults: BatchDefaults): void {
  for (const key of ['context', 'integrations'] as const) {
    const shared = defaults[key];
    if (!isPlainObject(shared)) continue;
    const own = fields[key];
    if (own === undefined || own === null) fields[key] = shared;
    else if (isPlainObject(own)) fields[key] = { ...shared, ...own };
  }
  if (fields.sentAt === undefined && defaults.sentAt !== undefined && defaults.sentAt !== null) fields.sentAt = defaults.sentAt;
}

const dateFields = ['timestamp', 'originalTimestamp', 'sentAt'] as const;
const shortDate = /^(\d{4})-(\d{1,2})-(\d{1,2})(?=T|$)/;

/**
 * Segment's own documentation sends dates like `2015-2-02T00:30:08.276Z` (single-digit month);
 * padding them to ISO-8601 accepts what Segment accepts without loosening the date check itself.
 */
function shortDateFields(fields: Record<string, unknown>): Array<(typeof dateFields)[number]> {
  return dateFields.filter((key) => {
    const value = fields[key];
    if (typeof value !== 'string') return false;
    const match = shortDate.exec(value);
    return match !== null && (match[2]!.length === 1 || match[3]!.length === 1);
  });
}

function padShortDate(value: string): string {
  const match = shortDate.exec(value)!;
  return `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}${value.slice(match[0].length)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
