import { badInput } from '../errors.js';
import { readYamlFile } from '../input/files.js';

/**
 * How a row becomes an event. Flags (`--type`, `--event`, `--user-id-column`, …) and the keys of a
 * `--mapping` file (the same names in camelCase) fill this; flags win.
 */
export interface ImportMapping {
  /** Unset: track when the row has an `event` column, else identify. */
  type?: 'identify' | 'track' | undefined;
  /** The event name of every row (track). */
  event?: string | undefined;
  /** The column holding each row's event name (track). */
  eventColumn?: string | undefined;
  userIdColumn?: string | undefined;
  anonymousIdColumn?: string | undefined;
  timestampColumn?: string | undefined;
  /** Only these columns become traits (identify) or properties (track), renamed `column → name`; default: every other column under its own name. */
  columns?: Record<string, string> | undefined;
}

/** What flags and a mapping file give, before checking. */
export type MappingInput = Partial<Omit<ImportMapping, 'type'>> & { type?: string | undefined };

const mappingKeys = ['type', 'event', 'eventColumn', 'userIdColumn', 'anonymousIdColumn', 'timestampColumn', 'columns'];

/** Column names tried, in order, when the mapping does not name one. */
const defaultColumns = {
  userId: ['userId', 'user_id', 'userid'],
  anonymousId: ['anonymousId', 'anonymous_id'],
  timestamp: ['timestamp', 'time'],
  event: ['event'],
} as const;

/**
 * The mapping from a `--mapping` file (JSON or YAML) with flags on top.
 *
 * @example
 * resolveMapping({ type: 'track', eventColumn: 'action' }, undefined) // { type: 'track', eventColumn: 'action' }
 */
export function resolveMapping(flags: MappingInput, file: string | undefined): ImportMapping {
  const fromFile = file === undefined ? {} : mappingFile(file);
  const defined = (input: MappingInput) => Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const merged = { ...defined(fromFile), ...defined(flags) } as MappingInput;
  const type = merged.type ?? (merged.event !== undefined || merged.eventColumn !== undefined ? 'track' : undefined);
  if (type !== undefined && type !== 'identify' && type !== 'track') throw badInput(`The mapping's type must be identify or track, received ${JSON.stringify(type)}`);
  if (type === 'identify' && (merged.event !== undefined || merged.eventColumn !== undefined)) {
    throw badInput('An event name (--event / --event-column) only applies to --type track');
  }
  return { ...merged, type } as ImportMapping;
}

function mappingFile(file: string): MappingInput {
  const value = readYamlFile(file);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badInput(`${file} must hold an object with the mapping (${mappingKeys.join(', ')})`);
  const unknown = Object.keys(value).filter((key) => !mappingKeys.includes(key));
  if (unknown.length > 0) throw badInput(`${file}: unknown mapping keys ${unknown.join(', ')} (expected ${mappingKeys.join(', ')})`);
  const { columns, ...rest } = value as Record<string, unknown>;
  for (const [key, text] of Object.entries(rest)) {
    if (typeof text !== 'string') throw badInput(`${file}: ${key} must be a string, received ${JSON.stringify(text)}`);
  }
  if (columns !== undefined) {
    const valid = columns !== null && typeof columns === 'object' && !Array.isArray(columns) && Object.values(columns).every((name) => typeof name === 'string');
    if (!valid) throw badInput(`${file}: columns must map column names to trait/property names, like {"Email Address": "email"}`);
  }
  return value as MappingInput;
}

/** `--column email`, `--column "E-mail=email"` → `{ email: 'email', 'E-mail': 'email' }`. */
export function parseColumnFlags(values: string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  return Object.fromEntries(
    values.map((value) => {
      const at = value.lastIndexOf('=');
      const [column, name] = at === -1 ? [value, value] : [value.slice(0, at), value.slice(at + 1)];
      if (!column || !name) throw badInput(`--column ${value}: expected column or column=name`);
      return [column, name];
    }),
  );
}

/** A CSV header must hold every column the mapping names, or no row could be mapped. */
export function checkHeader(mapping: ImportMapping, header: string[]): void {
  const named = [mapping.eventColumn, mapping.userIdColumn, mapping.anonymousIdColumn, mapping.timestampColumn, ...Object.keys(mapping.columns ?? {})];
  const missing = named.filter((column): column is string => column !== undefined && !header.includes(column));
  if (missing.length > 0) throw badInput(`The file has no column ${missing.join(', ')} (its header: ${header.join(', ')})`);
}

/** A row that is already an event (JSONL with a `type`) is sent as it is. */
export function isEvent(row: Record<string, unknown>): boolean {
  return typeof row.type === 'string';
}

/**
 * The event for one row, or why there is none. Empty values count as missing. Without a user id or
 * anonymous id column, an `email` column is the user id. Without a type, a row with an `event` column is a track.
 *
 * @example
 * mapRow({ type: 'identify' }, { email: 'ada@example.com', plan: 'pro' })
 * // { type: 'identify', userId: 'ada@example.com', traits: { email: 'ada@example.com', plan: 'pro' } }
 */
export function mapRow(mapping: ImportMapping, row: Record<string, unknown>): { event: Record<string, unknown> } | { reason: string } {
  const pick = (explicit: string | undefined, candidates: readonly string[]) => explicit ?? candidates.find((name) => name in row);
  const userIdColumn = pick(mapping.userIdColumn, defaultColumns.userId);
  const anonymousIdColumn = pick(mapping.anonymousIdColumn, defaultColumns.anonymousId);
  const timestampColumn = pick(mapping.timestampColumn, defaultColumns.timestamp);
  const type = mapping.type ?? ('event' in row ? 'track' : 'identify');
  const eventColumn = type === 'track' && mapping.event === undefined ? pick(mapping.eventColumn, defaultColumns.event) : undefined;
  const idColumn = userIdColumn ?? (anonymousIdColumn === undefined && 'email' in row ? 'email' : undefined);
  const used = new Set([idColumn, anonymousIdColumn, timestampColumn, eventColumn]);

  const event: Record<string, unknown> = { type };
  const userId = present(row[idColumn ?? '']);
  const anonymousId = present(row[anonymousIdColumn ?? '']);
  if (userId === undefined && anonymousId === undefined) {
    const looked = [idColumn, anonymousIdColumn].filter(Boolean);
    return { reason: looked.length > 0 ? `no user id: ${looked.join(' and ')} ${looked.length > 1 ? 'are' : 'is'} empty` : `no user id: the row has no userId, user_id, anonymousId or email column (name one with --user-id-column)` };
  }
  if (userId !== undefined) event.userId = userId;
  if (anonymousId !== undefined) event.anonymousId = anonymousId;
  if (type === 'track') {
    const name = mapping.event ?? present(row[eventColumn ?? '']);
    if (name === undefined) return { reason: eventColumn ? `no event name: ${eventColumn} is empty` : 'no event name: pass --event or --event-column' };
    event.event = String(name);
  }
  const timestamp = present(row[timestampColumn ?? '']);
  if (timestamp !== undefined) event.timestamp = timestamp;

  const values: Record<string, unknown> = {};
  if (mapping.columns) {
    for (const [column, name] of Object.entries(mapping.columns)) {
      const value = present(row[column]);
      if (value !== undefined) values[name] = value;
    }
  } else {
    for (const [column, value] of Object.entries(row)) {
      // The email stays a trait even when it is the user id: it is an identifier of its own.
      if ((!used.has(column) || (column === 'email' && column === idColumn)) && present(value) !== undefined) values[column] = value;
    }
  }
  event[type === 'identify' ? 'traits' : 'properties'] = values;
  return { event };
}

function present(value: unknown): unknown {
  return value === undefined || value === null || value === '' ? undefined : value;
}
