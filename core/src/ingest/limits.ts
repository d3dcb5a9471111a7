/** Size and shape limits of the tracking API, the same as Segment's so existing SDKs never hit a surprise. */
export const ingestLimits = {
  /** One event, and the whole request of the single-event endpoints (`/v1/track`, …). */
  maxEventBytes: 32 * 1024,
  /** One `/v1/batch` request, measured after decompression. */
  maxBatchBytes: 500 * 1024,
  /** Events in one `/v1/batch` request. */
  maxBatchEvents: 2500,
  /**
   * Deepest nesting of objects and arrays in a request. PostgreSQL's jsonb parser and
   * `JSON.stringify` both recurse, so unbounded nesting would turn bad input into a server error.
   */
  maxJsonDepth: 64,
  /** A webhook request handed to a source plugin. */
  maxHookBytes: 5 * 1024 * 1024,
} as const;

/** `33.1 KB` — how limits and sizes read in error messages. */
export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
}
