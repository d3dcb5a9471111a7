import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { joinSecrets, redactSecrets, secretPaths, splitSecrets, type Component } from '@weft/plugin-sdk';
import type { Db } from '../db/client.js';
import { connectors, writeKeys } from '../db/schema/index.js';
import { WeftError, invalid, notFound, zodIssues } from '../errors.js';
import type { SecretBox } from '../auth/secret-box.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { connectorSettingsSchema, type ConnectorSettings, type ConnectorSettingsInput } from './settings.js';

export type ConnectorRow = typeof connectors.$inferSelect;

export const connectorIdPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface ConnectorInput {
  id: string;
  plugin: string;
  component: string;
  /** `null` clears it on update. */
  description?: string | null | undefined;
  config?: Record<string, unknown> | undefined;
  settings?: ConnectorSettingsInput | undefined;
  enabled?: boolean | undefined;
}

/** A connector as the API shows it: secrets redacted, never returned. */
export interface ConnectorView {
  id: string;
  plugin: string;
  component: string;
  kind: string;
  description: string | null;
  config: Record<string, unknown>;
  settings: ConnectorSettings;
  enabled: boolean;
  status: string;
  statusReason: string | null;
  statusChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A connector ready to run: its component and its full, validated config (secrets decrypted). */
export interface ResolvedConnector {
  row: ConnectorRow;
  component: Component;
  config: Record<string, unknown>;
  settings: ConnectorSettings;
  secretValues: string[];
}

/** Creating, changing and reading connectors; the only code that touches their secrets. */
export class ConnectorService {
  readonly #writeKeyCache = new Map<string, { connectorId: string | undefined; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly registry: PluginRegistry,
    private readonly secretBox: SecretBox,
  ) {}

  /** Creates a connector; a source gets its first write key, returned once here. */
  async create(input: ConnectorInput): Promise<{ connector: ConnectorView; writeKey?: string }> {
    if (!connectorIdPattern.test(input.id)) {
      throw invalid(`Connector id '${input.id}' must be 1-63 lower-case letters, digits, '-' or '_'`, [{ path: 'id', message: 'invalid id' }]);
    }
    const component = this.registry.component(input.plugin, input.component);
    const config = this.#parseConfig(input.id, component, input.config ?? {});
    const settings = this.#parseSettings(input.id, component, input.settings ?? {});
    const existing = await this.db.select({ id: connectors.id }).from(connectors).where(eq(connectors.id, input.id));
    if (existing.length > 0) throw new WeftError(409, 'conflict', `Connector '${input.id}' already exists`);
    const { plain, secrets } = splitSecrets(config, secretPaths(component.config));
    const enabled = input.enabled ?? true;
    await this.db.insert(connectors).values({
      id: input.id,
      pluginId: input.plugin,
      component: input.component,
      kind: component.kind,
      description: input.description ?? null,
      config: plain,
      secrets: Object.keys(secrets).length > 0 ? this.secretBox.seal(JSON.stringify(secrets)) : null,
      settings,
      enabled,
      status: enabled ? 'active' : 'disabled',
    });
    const connector = await this.view(input.id);
    if (component.kind !== 'source') return { connector };
    const { key } = await this.issueWriteKey(input.id);
    return { connector, writeKey: key };
  }

  /**
   * Changes config, settings or description. Secret fields left out keep their stored value,
   * so a client that never saw a secret can still edit the rest.
   */
  async update(id: string, patch: Partial<Omit<ConnectorInput, 'id' | 'plugin' | 'component'>>): Promise<ConnectorView> {
    const current = await this.resolve(id);
    const values: Partial<typeof connectors.$inferInsert> = { updatedAt: new Date() };
    if (patch.config !== undefined) {
      const paths = secretPaths(current.component.config);
      const previousSecrets = splitSecrets(current.config, paths).secrets;
      const incoming = splitSecrets(patch.config, paths);
      const merged = joinSecrets(incoming.plain, { ...previousSecrets, ...incoming.secrets });
      const config = this.#parseConfig(id, current.component, merged);
      const { plain, secrets } = splitSecrets(config, paths);
      values.config = plain;
      values.secrets = Object.keys(secrets).length > 0 ? this.secretBox.seal(JSON.stringify(secrets)) : null;
    }
    if (patch.settings !== undefined) values.settings = this.#parseSettings(id, current.component, patch.settings);
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.enabled !== undefined) Object.assign(values, this.#enabledValues(patch.enabled));
    await this.db.update(connectors).set(values).where(eq(connectors.id, id));
    return this.view(id);
  }

  async setEnabled(id: string, enabled: boolean): Promise<ConnectorView> {
    await this.row(id);
    await this.db.update(connectors).set({ ...this.#enabledValues(enabled), updatedAt: new Date() }).where(eq(connectors.id, id));
    return this.view(id);
  }

  /** Stops deliveries to a connector until someone re-enables it; `reason` is what they will read. */
  async pause(id: string, reason: string): Promise<void> {
    await this.db
      .update(connectors)
      .set({ status: 'paused', statusReason: reason, statusChangedAt: new Date() })
      .where(and(eq(connectors.id, id), eq(connectors.enabled, true)));
  }

  async remove(id: string): Promise<void> {
    await this.row(id);
    await this.db.delete(connectors).where(eq(connectors.id, id));
  }

  async list(): Promise<ConnectorView[]> {
    const rows = await this.db.select().from(connectors).orderBy(asc(connectors.id));
    return rows.map((row) => this.#toView(row));
  }

  async view(id: string): Promise<ConnectorView> {
    return this.#toView(await this.row(id));
  }

  async row(id: string): Promise<ConnectorRow> {
    const [row] = await this.db.select().from(connectors).where(eq(connectors.id, id));
    if (!row) throw notFound('Connector', id);
    return row;
  }

  /** The connector with its component and decrypted, validated config: what the engine runs. */
  async resolve(id: string): Promise<ResolvedConnector> {
    const row = await this.row(id);
    const component = this.registry.component(row.pluginId, row.component);
    const secrets = row.secrets ? (JSON.parse(this.secretBox.open(row.secrets)) as Record<string, unknown>) : {};
    const config = this.#parseConfig(id, component, joinSecrets(row.config, secrets));
    const settings = connectorSettingsSchema.parse(row.settings);
    const secretValues = Object.values(secrets).filter((value): value is string => typeof value === 'string');
    return { row, component, config, settings, secretValues };
  }

  // ------------------------------------------------------------ write keys

  /** Issues a new write key for a source connector; the key is returned once and only its hash is kept. */
  async issueWriteKey(connectorId: string): Promise<{ id: string; key: string; prefix: string }> {
    const row = await this.row(connectorId);
    if (row.kind !== 'source') throw invalid(`Connector '${connectorId}' is a ${row.kind}; only sources have write keys`);
    const key = generateToken('wk');
    const id = randomUUID();
    const prefix = key.slice(0, 10);
    await this.db.insert(writeKeys).values({ id, connectorId, keyHash: hashToken(key), keyPrefix: prefix });
    return { id, key, prefix };
  }

  async listWriteKeys(connectorId: string) {
    await this.row(connectorId);
    const rows = await this.db.select().from(writeKeys).where(eq(writeKeys.connectorId, connectorId)).orderBy(asc(writeKeys.createdAt));
    return rows.map((row) => ({
      id: row.id,
      prefix: row.keyPrefix,
      createdAt: row.createdAt.toISOString(),
      revokedAt: row.revokedAt?.toISOString() ?? null,
    }));
  }

  async revokeWriteKey(connectorId: string, keyId: string): Promise<void> {
    const updated = await this.db
      .update(writeKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(writeKeys.id, keyId), eq(writeKeys.connectorId, connectorId), isNull(writeKeys.revokedAt)))
      .returning({ id: writeKeys.id });
    if (updated.length === 0) throw notFound('Active write key', keyId);
    this.#writeKeyCache.clear();
  }

  /**
   * The enabled source connector a write key belongs to, or undefined. Cached for a few seconds:
   * ingest calls this on every request, and a revoked key stops working within that time.
   */
  async authenticateWriteKey(key: string): Promise<string | undefined> {
    const now = Date.now();
    const cached = this.#writeKeyCache.get(key);
    if (cached && cached.until > now) return cached.connectorId;
    const [row] = await this.db
      .select({ connectorId: writeKeys.connectorId })
      .from(writeKeys)
      .innerJoin(connectors, eq(connectors.id, writeKeys.connectorId))
      .where(and(eq(writeKeys.keyHash, hashToken(key)), isNull(writeKeys.revokedAt), eq(connectors.enabled, true)));
    const connectorId = row?.connectorId;
    if (this.#writeKeyCache.size > 10_000) this.#writeKeyCache.clear();
    this.#writeKeyCache.set(key, { connectorId, until: now + 5_000 });
    return connectorId;
  }

  /** Forgets cached write-key lookups (after a connector is disabled or removed). */
  forgetCachedKeys(): void {
    this.#writeKeyCache.clear();
  }

  // ------------------------------------------------------------ helpers

  #enabledValues(enabled: boolean) {
    return enabled
      ? { enabled: true, status: 'active', statusReason: null, statusChangedAt: new Date() }
      : { enabled: false, status: 'disabled', statusReason: null, statusChangedAt: new Date() };
  }

  #parseConfig(id: string, component: Component, config: Record<string, unknown>): Record<string, unknown> {
    const parsed = component.config.safeParse(config);
    if (!parsed.success) throw invalid(`Connector '${id}' config is invalid`, zodIssues(parsed.error.issues, 'config'));
    return parsed.data;
  }

  #parseSettings(id: string, component: Component, settings: ConnectorSettingsInput): ConnectorSettings {
    const parsed = connectorSettingsSchema.safeParse(settings);
    if (!parsed.success) throw invalid(`Connector '${id}' settings are invalid`, zodIssues(parsed.error.issues, 'settings'));
    if (component.kind === 'destination') {
      for (const action of Object.keys(parsed.data.actions)) {
        if (!component.actions[action]) {
          throw invalid(`Connector '${id}' settings name action '${action}', which the destination does not have`, [
            { path: `settings.actions.${action}`, message: `unknown action (known: ${Object.keys(component.actions).join(', ')})` },
          ]);
        }
      }
    }
    return parsed.data;
  }

  #toView(row: ConnectorRow): ConnectorView {
    // Secrets are never shown: each one that is set appears as "[redacted]".
    const storedSecrets = row.secrets ? (JSON.parse(this.secretBox.open(row.secrets)) as Record<string, unknown>) : {};
    const config = redactSecrets(joinSecrets(row.config, storedSecrets), Object.keys(storedSecrets));
    return {
      id: row.id,
      plugin: row.pluginId,
      component: row.component,
      kind: row.kind,
      description: row.description,
      config,
      settings: connectorSettingsSchema.parse(row.settings),
      enabled: row.enabled,
      status: row.status,
      statusReason: row.statusReason,
      statusChangedAt: row.statusChangedAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}

