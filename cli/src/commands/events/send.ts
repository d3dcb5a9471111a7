import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { eventTypes } from '@weft/plugin-sdk';
import { ApiCommand } from '../../base-command.js';
import { connectorPath } from '../../api/paths.js';
import type { AdminAnswers } from '../../api/types.js';
import { ApiError, badInput } from '../../errors.js';
import { plural } from '../../output/format.js';
import { parseJsonObject } from '../../input/values.js';

/** Stays well under the server's 500 KB batch limit whatever the events look like. */
const maxBatchBytes = 400_000;
const maxBatchEvents = 100;

const singleEventFlags = ['event', 'user-id', 'anonymous-id', 'properties', 'traits', 'context', 'name', 'group-id', 'previous-id', 'message-id', 'timestamp'];

export default class EventsSend extends ApiCommand<typeof EventsSend> {
  static override summary = 'Send events into a source connector, as if a client had sent them.';
  static override description =
    'Builds one event from flags, or reads many from a JSON Lines file (one event per line; `-` reads stdin). Events go through the same validation, dedupe (by messageId) and pipelines as any ingest.';
  static override flags = {
    source: Flags.string({ summary: 'Source connector that receives the events.', required: true }),
    type: Flags.string({ summary: 'Event type.', options: [...eventTypes], default: 'track', exclusive: ['file'] }),
    event: Flags.string({ summary: 'Event name (track).' }),
    'user-id': Flags.string({ summary: 'userId.' }),
    'anonymous-id': Flags.string({ summary: 'anonymousId.' }),
    properties: Flags.string({ summary: 'properties as a JSON object.' }),
    traits: Flags.string({ summary: 'traits as a JSON object (identify, group).' }),
    context: Flags.string({ summary: 'context as a JSON object (e.g. externalIds, consent).' }),
    name: Flags.string({ summary: 'Page or screen name.' }),
    'group-id': Flags.string({ summary: 'groupId (group).' }),
    'previous-id': Flags.string({ summary: 'previousId (alias).' }),
    'message-id': Flags.string({ summary: 'messageId (default: a new UUID); resending the same one is ignored as a duplicate.' }),
    timestamp: Flags.string({ summary: 'When it happened (ISO time; default: now).' }),
    file: Flags.string({ summary: 'JSON Lines file of events (`-` for stdin).', exclusive: singleEventFlags }),
  };
  static override examples = [
    `<%= config.bin %> events send --source shop-web --event "Order Completed" --user-id u-42 --properties '{"total":99.5,"currency":"EUR"}'`,
    `<%= config.bin %> events send --source shop-web --type identify --user-id u-42 --traits '{"email":"ada@example.com"}'`,
    '<%= config.bin %> events send --source shop-web --type page --anonymous-id a-1 --name Pricing',
    '<%= config.bin %> events send --source shop-web --file events.jsonl --json',
  ];

  async run() {
    if (this.flags.file !== undefined) return this.#sendFile(this.flags.file);
    const event = this.#eventFromFlags();
    const result = await this.client.post<AdminAnswers.IngestCounts>(connectorPath(this.flags.source, '/events'), event);
    const label = [event.type, event.event ?? event.name].filter(Boolean).join(' ');
    this.log(`${result.duplicates > 0 ? 'Duplicate, ignored' : 'Accepted'}: ${label} (messageId ${String(event.messageId)}) into ${this.flags.source}.`);
    return { ...result, messageId: event.messageId };
  }

  #eventFromFlags(): Record<string, unknown> {
    const f = this.flags;
    const json = (flag: string, value: string | undefined) => (value === undefined ? undefined : parseJsonObject(flag, value));
    const event: Record<string, unknown> = {
      type: f.type,
      messageId: f['message-id'] ?? randomUUID(),
      event: f.event,
      name: f.name,
      userId: f['user-id'],
      anonymousId: f['anonymous-id'],
      groupId: f['group-id'],
      previousId: f['previous-id'],
      properties: json('--properties', f.properties),
      traits: json('--traits', f.traits),
      context: json('--context', f.context),
      timestamp: f.timestamp,
    };
    return Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined));
  }

  async #sendFile(file: string) {
    const lines = readEventLines(file);
    const total = { accepted: 0, duplicates: 0 };
    for (const batch of batchesOf(lines)) {
      try {
        const result = await this.client.post<AdminAnswers.IngestCounts>(connectorPath(this.flags.source, '/events'), { batch: batch.map((line) => line.event) });
        total.accepted += result.accepted;
        total.duplicates += result.duplicates;
      } catch (error) {
        throw error instanceof ApiError ? rejectedBatch(error, batch, total.accepted) : error;
      }
    }
    this.log(`Accepted ${plural(total.accepted, 'event')} (${plural(total.duplicates, 'duplicate')} ignored) from ${file} into ${this.flags.source}.`);
    return total;
  }
}

interface EventLine {
  line: number;
  event: Record<string, unknown>;
  bytes: number;
}

function readEventLines(file: string): EventLine[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw badInput((error as NodeJS.ErrnoException).code === 'ENOENT' ? `File ${file} does not exist` : `Cannot read ${file}: ${(error as Error).message}`);
  }
  const events: EventLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const event = parseJsonObject(`${file} line ${index + 1}`, raw);
    events.push({ line: index + 1, event, bytes: Buffer.byteLength(raw) });
  });
  if (events.length === 0) throw badInput(`${file} holds no events (expected one JSON object per line)`);
  return events;
}

function* batchesOf(lines: EventLine[]): Generator<EventLine[]> {
  let batch: EventLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    if (batch.length > 0 && (batch.length >= maxBatchEvents || bytes + line.bytes > maxBatchBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(line);
    bytes += line.bytes;
  }
  if (batch.length > 0) yield batch;
}

/** Points the server's `batch.<i>.field` issues at file lines, and says what was already accepted. */
function rejectedBatch(error: ApiError, batch: EventLine[], acceptedBefore: number): ApiError {
  const issues = error.issues.map((issue) => {
    const match = /^batch\.(\d+)(?:\.(.*))?$/.exec(issue.path);
    const line = match ? batch[Number(match[1])]?.line : undefined;
    return line === undefined ? issue : { path: `line ${line}${match![2] ? ` ${match![2]}` : ''}`, message: issue.message };
  });
  const range = `lines ${batch[0]!.line}-${batch.at(-1)!.line}`;
  const before = acceptedBefore > 0 ? `; the ${plural(acceptedBefore, 'event')} before them were accepted` : '';
  return new ApiError(error.status, error.code, `${error.message} (events on ${range}${before})`, issues);
}
