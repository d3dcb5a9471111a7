import { and, eq, sql } from 'drizzle-orm';
import type { KeyValueStore } from '@weft/plugin-sdk';
import type { Db } from '../db/client.js';
import { connectorKv } from '../db/schema/index.js';

/** The plugin key-value store backed by `connector_kv`, scoped to one connector. */
export function connectorKeyValueStore(db: Db, connectorId: string): KeyValueStore {
  const where = (key: string) => and(eq(connectorKv.connectorId, connectorId), eq(connectorKv.key, key));
  return {
    async get<T>(key: string) {
      const [row] = await db.select().from(connectorKv).where(where(key));
      if (!row || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return undefined;
      return row.value as T;
    },
    async set(key, value, options) {
      const expiresAt = options?.ttlMs === undefined ? null : new Date(Date.now() + options.ttlMs);
      await db
        .insert(connectorKv)
        .values({ connectorId, key, value: value as never, expiresAt })
        .onConflictDoUpdate({ target: [connectorKv.connectorId, connectorKv.key], set: { value: sql`excluded.value`, expiresAt: sql`excluded.expires_at` } });
    },
    async delete(key) {
      await db.delete(connectorKv).where(where(key));
    },
  };
}
