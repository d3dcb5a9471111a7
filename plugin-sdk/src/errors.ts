/**
 * The error taxonomy every plugin speaks. The host decides what to do from the
 * class alone: retry, fail the item, or pause the connector and say why.
 *
 * @example
 * throw new AuthError('HubSpot rejected the private app token (401)')
 */
export type ErrorKind = 'config' | 'auth' | 'validation' | 'rate-limited' | 'transient';

export abstract class PluginError extends Error {
  abstract readonly kind: ErrorKind;
  /** Whether the host may try the same work again later. */
  abstract readonly retryable: boolean;
  /** HTTP status of the vendor response that caused the error, when there was one. */
  readonly status?: number;

  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** The connector's configuration is wrong (missing field, bad URL). Pauses the connector. */
export class ConfigError extends PluginError {
  readonly kind = 'config';
  readonly retryable = false;
}

/** Credentials were refused. Pauses the connector until someone fixes them. */
export class AuthError extends PluginError {
  readonly kind = 'auth';
  readonly retryable = false;
}

/** The vendor refused this item for good (bad field, unknown recipient). Dead-letters the item. */
export class ValidationError extends PluginError {
  readonly kind = 'validation';
  readonly retryable = false;
}

/** The vendor asked us to slow down. Retried no sooner than `retryAfterMs`. */
export class RateLimitedError extends PluginError {
  readonly kind = 'rate-limited';
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; status?: number; retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A passing fault (timeout, 5xx, connection reset). Retried with backoff. */
export class TransientError extends PluginError {
  readonly kind = 'transient';
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; status?: number; retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/**
 * Parses a `Retry-After` header (delta-seconds or an HTTP date) into milliseconds from `now`.
 *
 * @example
 * parseRetryAfter('120') // 120000
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Every HTTP date form names its month; Date.parse alone would take '-5' for the year −5.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Turns a vendor's HTTP response into `undefined` (success) or the error the host understands:
 * 408/429/5xx (except 501) transient, 401/403 auth, any other 4xx permanent.
 *
 * @example
 * const error = await classifyHttpResponse(response, 'SendGrid');
 * if (error) throw error;
 */
export async function classifyHttpResponse(response: Response, vendor = 'destination'): Promise<PluginError | undefined> {
  if (response.ok) return undefined;
  const status = response.status;
  const body = await readSnippet(response);
  const message = `${vendor} answered ${status}${response.statusText ? ` ${response.statusText}` : ''}${body ? `: ${body}` : ''}`;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  if (status === 429) return new RateLimitedError(message, { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  if (status === 408 || (status >= 500 && status !== 501)) {
    return new TransientError(message, { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (status === 401 || status === 403) return new AuthError(message, { status });
  return new ValidationError(message, { status });
}

async function readSnippet(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return '';
  }
}

const errorKinds: ReadonlySet<string> = new Set<ErrorKind>(['config', 'auth', 'validation', 'rate-limited', 'transient']);

/**
 * True when `error` is one of the SDK's classified errors. Checks the shape, not the class,
 * so errors from a plugin bundling its own copy of the SDK are still understood.
 */
export function isPluginError(error: unknown): error is PluginError {
  return error instanceof Error && errorKinds.has((error as { kind?: unknown }).kind as string);
}
