/** A connector-scoped logger. Secret config values are redacted by the host before anything is written. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A small key-value store scoped to one connector: access tokens, cursors, anything a plugin must remember. */
export interface KeyValueStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** `ttlMs` makes the value disappear after that long (an access token's lifetime, say). */
  set(key: string, value: unknown, options?: { ttlMs?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** `fetch` with a per-request timeout; the host records latency and status per connector. */
export type InstrumentedFetch = (input: string | URL | Request, init?: RequestInit & { timeoutMs?: number }) => Promise<Response>;

/** Which connector a hook is running for. */
export interface ConnectorIdentity {
  id: string;
  name: string;
  plugin: string;
  component: string;
}

/** What every hook receives: validated config, logger, fetch, store, and the connector's identity. */
export interface PluginContext<Config = Record<string, unknown>> {
  config: Config;
  connector: ConnectorIdentity;
  logger: Logger;
  fetch: InstrumentedFetch;
  store: KeyValueStore;
  /** Aborted when the host shuts down; long work should stop early. */
  signal: AbortSignal;
}
