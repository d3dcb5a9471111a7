import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** The six Segment/RudderStack event types Weft accepts. */
export const eventTypes = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof eventTypes)[number];

const jsonObject = z.record(z.string(), z.unknown());

/** `context.externalIds` entry; `scope` names the namespace of per-app identifiers (e.g. a WeChat app id). */
export const externalIdSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  type: z.string().min(1),
  scope: z.string().optional(),
  collection: z.string().optional(),
  encoding: z.string().optional(),
});

// What SDKs send: `toISOString()` output, kept as is when it names a real instant (no Feb 30, no
// 24:00, which Date rolls over). Ingest validates every event, and parsing a date once instead of
// twice plus `toISOString()` is a sizeable share of that work.
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Years an event time may have: four-digit ISO-8601 years, which every store and vendor reads (a Date reaches ±275,760). */
const firstYear = 1;
const lastYear = 9999;
const storableTime = (date: Date) => date.getUTCFullYear() >= firstYear && date.getUTCFullYear() <= lastYear;

const timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date or epoch milliseconds' });
    return z.NEVER;
  }
  if (!storableTime(date)) {
    ctx.addIssue({ code: 'custom', message: `must be a date from year ${firstYear} to ${lastYear}, not ${date.toISOString()}` });
    return z.NEVER;
  }
  const canonical =
    typeof value === 'string' &&
    isoInstant.test(value) &&
    date.getUTCDate() === Number(value.slice(8, 10)) &&
    date.getUTCHours() === Number(value.slice(11, 13));
  return canonical ? value : date.toISOString();
});

/**
 * One event as sent by a Segment- or RudderStack-compatible client.
 * Unknown fields are kept: ingestion is schemaless beyond what routing needs.
 */
export const eventInputSchema = z
  .looseObject({
    type: z.enum(eventTypes),
    messageId: z.union([z.string().min(1).max(200), z.number()]).transform(String).optional(),
    userId: z.union([z.string().max(500), z.number()]).transform(String).nullish(),
    anonymousId: z.union([z.string().max(500), z.number()]).transform(String).nullish(),
    event: z.string().min(1).max(500).optional(),
    name: z.string().max(500).nullish(),
    category: z.string().max(500).nullish(),
    groupId: z.union([z.string().max(500), z.number()]).transform(String).nullish(),
    previousId: z.union([z.string().max(500), z.number()]).transform(String).nullish(),
    properties: jsonObject.nullish(),
    traits: jsonObject.nullish(),
    context: z
      .looseObject({
        traits: jsonObject.optional(),
        externalIds: z.array(externalIdSchema).optional(),
        consent: jsonObject.optional(),
      })
      .nullish(),
    integrations: jsonObject.nullish(),
    timestamp: timestamp.nullish(),
    originalTimestamp: timestamp.nullish(),
    sentAt: timestamp.nullish(),
  })
  .superRefine((event, ctx) => {
    if (!event.userId && !event.anonymousId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'required when there is no anonymousId' });
    }
    if (event.type === 'track' && !event.event) {
      ctx.addIssue({ code: 'custom', path: ['event'], message: 'track events need an event name' });
    }
    if (event.type === 'group' && !event.groupId) {
      ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'required for group events' });
    }
    if (event.type === 'alias' && !event.previousId) {
      ctx.addIssue({ code: 'custom', path: ['previousId'], message: 'required for alias events' });
    }
  });

export type EventInput = z.input<typeof eventInputSchema>;

/** An event after ingest: validated, with `messageId`, `receivedAt` and a skew-corrected `timestamp`. */
export interface WeftEvent {
  type: EventType;
  messageId: string;
  userId?: string | null;
  anonymousId?: string | null;
  event?: string;
  name?: string | null;
  properties?: Record<string, unknown> | null;
  traits?: Record<string, unknown> | null;
  context?: Record<string, unknown> & {
    traits?: Record<string, unknown>;
    externalIds?: Array<{ id: string; type: string; scope?: string }>;
    consent?: Record<string, unknown>;
  } | null;
  timestamp: string;
  receivedAt: string;
  sentAt?: string | null;
  originalTimestamp?: string | null;
  [field: string]: unknown;
}

/** An event as `eventInputSchema` outputs it: ids as strings, dates as ISO strings. */
export type ParsedEventInput = z.output<typeof eventInputSchema>;

/**
 * Completes a validated event the way ingest does: a `messageId` when the client sent none,
 * `receivedAt`, and Segment's clock-skew correction: with `sentAt` and a client time,
 * `timestamp = receivedAt − (sentAt − originalTimestamp)` and the client time is kept as
 * `originalTimestamp`; a lone `timestamp` (or `originalTimestamp`) is trusted as given; with
 * neither, the event happened on arrival.
 *
 * @example
 * toWeftEvent(eventInputSchema.parse({ type: 'track', event: 'Signed Up', userId: 'u1' }), new Date())
 */
export function toWeftEvent(parsed: ParsedEventInput, receivedAt: Date = new Date()): WeftEvent {
  const received = isoText(receivedAt);
  const clientTime = parsed.originalTimestamp ?? parsed.timestamp ?? undefined;
  let time: { timestamp: string; originalTimestamp?: string } = { timestamp: parsed.timestamp ?? clientTime ?? received };
  if (parsed.sentAt && clientTime) {
    const corrected = receivedAt.getTime() - (Date.parse(parsed.sentAt) - Date.parse(clientTime));
    const correctedDate = new Date(corrected);
    // A correction that leaves the storable years (a client clock decades off) is not applied.
    if (!Number.isNaN(corrected) && storableTime(correctedDate)) time = { timestamp: correctedDate.toISOString(), originalTimestamp: clientTime };
  }
  return { ...parsed, messageId: parsed.messageId ?? randomUUID(), receivedAt: received, ...time } as WeftEvent;
}

let lastTime = Number.NaN;
let lastText = '';

/** `date.toISOString()`, remembered for the last instant: every event of an ingest request shares one. */
function isoText(date: Date): string {
  const time = date.getTime();
  if (time !== lastTime) {
    lastText = date.toISOString();
    lastTime = time;
  }
  return lastText;
}
