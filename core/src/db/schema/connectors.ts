import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** A configured instance of a plugin component. Secret config fields live encrypted in `secrets`. */
export const connectors = pgTable('connectors', {
  id: text('id').primaryKey(),
  pluginId: text('plugin_id').notNull(),
  component: text('component').notNull(),
  kind: text('kind').notNull(),
  description: text('description'),
  config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
  /** AES-256-GCM envelope (base64) of the secret fields, keyed by dotted path. */
  secrets: text('secrets'),
  /** Host-side settings: retry policy, concurrency, rate limit, per-action mapping/filter overrides. */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  enabled: boolean('enabled').notNull().default(true),
  /** `active`, `paused` (auth/config failure, see `statusReason`) or `disabled`. */
  status: text('status').notNull().default('active'),
  statusReason: text('status_reason'),
  statusChangedAt: timestamp('status_changed_at', { withTimezone: true, mode: 'date' }),
  /** `apply` when `weft apply` created it, so a later apply may delete it once it leaves the file. */
  managedBy: text('managed_by'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Source write keys; only a SHA-256 hash is stored, the key itself is shown once. */
export const writeKeys = pgTable(
  'write_keys',
  {
    id: text('id').primaryKey(),
    connectorId: text('connector_id')
      .notNull()
      .references(() => connectors.id, { onDelete: 'cascade' }),
    keyHash: text('key_hash').notNull(),
    /** First characters of the key, so people can tell keys apart. */
    keyPrefix: text('key_prefix').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [uniqueIndex('write_keys_hash_idx').on(table.keyHash), index('write_keys_connector_idx').on(table.connectorId)],
);

/** Connector-scoped key-value store for plugins (tokens, cursors). */
export const connectorKv = pgTable(
  'connector_kv',
  {
    connectorId: text('connector_id')
      .notNull()
      .references(() => connectors.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: jsonb('value'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [uniqueIndex('connector_kv_pk').on(table.connectorId, table.key)],
);
