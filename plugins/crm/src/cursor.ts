import type { Cursor } from '@weft/plugin-sdk';

/** One pulled row's position: its modified-at time (ISO 8601) and its id. */
export interface Position {
  value: string;
  id: string;
}

// CRM ids of one object are fixed-width or numeric: compare numeric ids as numbers, others as strings.
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders positions by time, then id: the order the streams read in.
 *
 * @example
 * comparePositions({ value: '2026-01-01T00:00:00.000Z', id: '9' }, { value: '2026-01-01T00:00:00.000Z', id: '10' }) // < 0
 */
export function comparePositions(a: Position, b: Position): number {
  const byTime = Date.parse(a.value) - Date.parse(b.value);
  return byTime !== 0 ? byTime : compareIds(a.id, b.id);
}

/** Whether a row lies past the cursor, i.e. was not yet emitted before the cursor was saved. */
export function isPastCursor(position: Position, cursor: Cursor | undefined): boolean {
  if (!cursor) return true;
  return comparePositions(position, { value: String(cursor.value), id: cursor.id ?? '' }) > 0;
}

/** A vendor timestamp (`…+0000` from Salesforce, ISO from HubSpot) as ISO 8601 UTC, or `undefined` when unreadable. */
export function isoTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = typeof value === 'string' ? value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2') : value;
  const time = new Date(/^\d+$/.test(String(text)) ? Number(text) : text);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
