import { eq } from 'drizzle-orm';
import type { PluginContext } from '@weft/plugin-sdk';
import { connectors } from '../db/schema/index.js';
import { createPluginContext } from '../connectors/context.js';
import type { ResolvedConnector } from '../connectors/service.js';
import type { Runtime } from '../runtime.js';

/** A connector ready to run, with everything expensive done once: config decrypted, context built, prepared state. */
export interface LiveConnector extends ResolvedConnector {
  ctx: PluginContext<Record<string, unknown>>;
  /** Per-connector memo for compiled things (a transform's `prepare()` result, JSONata overrides). */
  memo: Map<string, Promise<unknown>>;
}

interface Entry {
  checkedAt: number;
  updatedAt: number;
  connector: Promise<LiveConnector>;
}

/**
 * Resolved connectors for the workers. Decrypting config and compiling expressions per event
 * would be slow, so entries live until the connector row's `updated_at` changes (checked at most
 * once per `recheckMs`).
 */
export class ConnectorCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly runtime: Runtime,
    private readonly recheckMs = 1_000,
  ) {}

  async get(id: string): Promise<LiveConnector> {
    const now = Date.now();
    const entry = this.#entries.get(id);
    if (entry && now - entry.checkedAt < this.recheckMs) return entry.connector;
    const [row] = await this.runtime.db.select({ updatedAt: connectors.updatedAt }).from(connectors).where(eq(connectors.id, id));
    const updatedAt = row?.updatedAt.getTime() ?? -1;
    if (entry && entry.updatedAt === updatedAt) {
      entry.checkedAt = now;
      return entry.connector;
    }
    const connector = this.#load(id);
    this.#entries.set(id, { checkedAt: now, updatedAt, connector });
    connector.catch(() => this.#entries.delete(id));
    return connector;
  }

  /** Forgets a connector so the next `get` reloads it. */
  forget(id: string): void {
    this.#entries.delete(id);
  }

  async #load(id: string): Promise<LiveConnector> {
    const resolved = await this.runtime.connectors.resolve(id);
    const ctx = createPluginContext(
      { db: this.runtime.db, logger: this.runtime.logger, metrics: this.runtime.metrics, signal: this.runtime.shutdown.signal },
      resolved,
    );
    return { ...resolved, ctx, memo: new Map() };
  }
}

/** Computes `make()` once per connector and key, sharing the promise. */
export function memoized<T>(connector: LiveConnector, key: string, make: () => Promise<T> | T): Promise<T> {
  let value = connector.memo.get(key) as Promise<T> | undefined;
  if (!value) {
    value = Promise.resolve().then(make);
    connector.memo.set(key, value);
    value.catch(() => connector.memo.delete(key));
  }
  return value;
}
