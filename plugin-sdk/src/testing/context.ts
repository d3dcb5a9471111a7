import type { ConnectorIdentity, InstrumentedFetch, KeyValueStore, Logger, PluginContext } from '../context.js';

/** One line a plugin logged, exactly as it called the logger (nothing redacted, so tests can catch leaks). */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** One call a plugin made through `ctx.fetch`, with how it ended. */
export interface RecordedFetch {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The request body as text (`undefined` when there was none). */
  body: string | undefined;
  /** The vendor's status, once it answered. */
  status?: number;
  /** Why no answer came (timeout, connection refused), when none did. */
  error?: string;
}

/** A plugin context plus everything it captured. */
export interface TestContext<Config> {
  context: PluginContext<Config>;
  logs: LogLine[];
  requests: RecordedFetch[];
  store: KeyValueStore;
  /** Aborts `ctx.signal`, as the host does on shutdown. */
  shutdown(): void;
}

export interface TestContextOptions<Config> {
  config: Config;
  connector: ConnectorIdentity;
  /** Default per-call timeout of `ctx.fetch`. */
  timeoutMs: number;
  /** Clock for the store's TTLs. */
  now?: () => number;
}

/**
 * Builds the context the host would give a hook, with a logger that records every line, a
 * `fetch` that records every call and times out, and an in-memory store honouring TTLs.
 *
 * @example
 * const { context, logs, requests } = createTestContext({ config, connector, timeoutMs: 1000 });
 * await component.check?.(context);
 */
export function createTestContext<Config>(options: TestContextOptions<Config>): TestContext<Config> {
  const logs: LogLine[] = [];
  const requests: RecordedFetch[] = [];
  const store = createMemoryStore(options.now);
  const shutdown = new AbortController();
  return {
    context: {
      config: options.config,
      connector: options.connector,
      logger: capturingLogger(logs),
      fetch: recordingFetch(requests, options.timeoutMs, shutdown.signal),
      store,
      signal: shutdown.signal,
    },
    logs,
    requests,
    store,
    shutdown: () => shutdown.abort(),
  };
}

/** A logger that appends every line to `lines`. */
export function capturingLogger(lines: LogLine[]): Logger {
  const write = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(fields === undefined ? { level, message } : { level, message, fields });
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A log line as one string (message and fields), for searching: `renderLogLine(line).includes(secret)`. */
export function renderLogLine(line: LogLine): string {
  if (line.fields === undefined) return `${line.level} ${line.message}`;
  return `${line.level} ${line.message} ${JSON.stringify(line.fields, jsonSafe)}`;
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * `fetch` with a per-call timeout that also stops on shutdown, recording each call. A timeout
 * surfaces as an error named `TimeoutError`, as the host's fetch reports it.
 */
function recordingFetch(requests: RecordedFetch[], defaultTimeoutMs: number, shutdown: AbortSignal): InstrumentedFetch {
  return async (input, init = {}) => {
    const { timeoutMs = defaultTimeoutMs, signal, ...rest } = init;
    const request = new Request(input, rest);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const record: RecordedFetch = {
      method: request.method,
      url: request.url,
      headers,
      body: request.body ? await request.clone().text() : undefined,
    };
    requests.push(record);
    try {
      const response = await fetch(request, { signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), shutdown, ...(signal ? [signal] : [])]) });
      record.status = response.status;
      return response;
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        record.error = `request timed out after ${timeoutMs} ms`;
        throw Object.assign(new Error(record.error), { name: 'TimeoutError', cause: error });
      }
      const cause = (error as { cause?: { code?: string } }).cause;
      record.error = cause?.code ?? (error as Error).message;
      throw error;
    }
  };
}

/**
 * An in-memory key-value store with the host store's semantics: values round-trip through JSON
 * (as they do through a jsonb column) and disappear once their TTL has passed.
 *
 * @example
 * const store = createMemoryStore();
 * await store.set('token', 'abc', { ttlMs: 60_000 });
 */
export function createMemoryStore(now: () => number = Date.now): KeyValueStore {
  const entries = new Map<string, { json: string; expiresAt: number | undefined }>();
  return {
    async get<T>(key: string) {
      const entry = entries.get(key);
      if (!entry || (entry.expiresAt !== undefined && entry.expiresAt <= now())) return undefined;
      return JSON.parse(entry.json) as T;
    },
    async set(key, value, options) {
      const json = JSON.stringify(value);
      if (json === undefined) throw new TypeError(`store.set('${key}'): the value cannot be stored as JSON`);
      entries.set(key, { json, expiresAt: options?.ttlMs === undefined ? undefined : now() + options.ttlMs });
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
