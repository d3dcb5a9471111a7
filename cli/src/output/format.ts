/** `2025-03-04 12:00:03` in local time; `-` for nothing. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * How far a time is from now, readably: `in 4m`, `12s ago`, `now`.
 *
 * @example
 * relativeTime('2025-03-04T12:04:00Z', Date.parse('2025-03-04T12:00:00Z')) // 'in 4m'
 */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '-';
  const deltaMs = Date.parse(iso) - now;
  if (Number.isNaN(deltaMs)) return iso;
  if (Math.abs(deltaMs) < 1_000) return 'now';
  const text = formatDuration(Math.abs(deltaMs));
  return deltaMs > 0 ? `in ${text}` : `${text} ago`;
}

/** `850ms`, `42s`, `3m`, `5h`, `2d`: the largest whole unit. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  const [unit, size] = units.find(([, size]) => ms >= size)!;
  return `${Math.floor(ms / size)}${unit}`;
}

/** Cuts a long text to `max` characters with an ellipsis. */
export function truncate(text: string | null | undefined, max: number): string {
  if (!text) return '-';
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `1 event`, `3 events`. */
export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

/** A pull stream's cursor as one short value: `2026-01-01T00:03:00Z/c7`, or `none` before the first checkpoint. */
export function formatCursor(cursor: { value: string | number; id?: string } | null): string {
  if (!cursor) return 'none';
  return cursor.id === undefined ? String(cursor.value) : `${cursor.value}/${cursor.id}`;
}
