import { join } from 'node:path';
import { openDatabase, migrateDatabase, type Database, type Db } from './db/client.js';
import { installedPlugins } from './db/schema/index.js';
import type { WeftConfig } from './config.js';
import { createLogger, type Pino } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { Signals } from './signals.js';
import { SecretBox, loadOrCreateSecretKey } from './auth/secret-box.js';
import { PluginRegistry, defaultWorkspacePluginsDir, discoverPluginPackages } from './plugins/registry.js';
import { ConnectorService } from './connectors/service.js';
import { PipelineService } from './pipelines/service.js';
import { IdentifierTypes, type PhoneRegion } from './identity/types.js';
import { IdentityService } from './identity/service.js';
import { IdentitySettings } from './identity/settings.js';
import { mergeNoticeTargets } from './identity/merge-notices.js';
import { ConnectorCache } from './engine/connector-cache.js';

/** Everything one Weft process shares: database, plugins, services, telemetry, shutdown signal. */
export interface Runtime {
  config: WeftConfig;
  database: Database;
  db: Db;
  logger: Pino;
  metrics: Metrics;
  signals: Signals;
  registry: PluginRegistry;
  secretBox: SecretBox;
  connectors: ConnectorService;
  pipelines: PipelineService;
  identityTypes: IdentifierTypes;
  identity: IdentityService;
  /** Aborted when the process begins to shut down. */
  shutdown: AbortController;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Use this database instead of opening one from `config` (tests). */
  database?: Database;
  /** Skip loading plugins from the workspace folder (tests that register their own). */
  skipWorkspacePlugins?: boolean;
}

/**
 * Opens the database, applies migrations, loads plugins and wires the services.
 *
 * @example
 * const runtime = await createRuntime(loadConfig());
 */
export async function createRuntime(config: WeftConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = createLogger(config.logLevel);
  const database =
    options.database ??
    (await openDatabase({ url: config.databaseUrl, prepare: config.databasePrepare, dataDir: config.databaseUrl ? undefined : join(config.dataDir, 'pgdata') }));
  if (!options.database) await migrateDatabase(database, config.databaseUrl);
  const secretBox = new SecretBox(loadOrCreateSecretKey(config.secretKey, config.dataDir));
  const registry = new PluginRegistry();
  await loadPlugins(registry, database.db, config, logger, options.skipWorkspacePlugins ?? false);
  const shutdown = new AbortController();
  const identityTypes = new IdentifierTypes(database.db, config.phoneRegion as PhoneRegion);
  const runtime: Runtime = {
    config,
    database,
    db: database.db,
    logger,
    metrics: createMetrics(),
    signals: new Signals(),
    registry,
    secretBox,
    connectors: new ConnectorService(database.db, registry, secretBox),
    pipelines: new PipelineService(database.db, registry),
    identityTypes,
    identity: new IdentityService(database, identityTypes, new IdentitySettings(database.db), logger),
    shutdown,
    async close() {
      shutdown.abort();
      await database.close();
    },
  };
  const noticeCache = new ConnectorCache(runtime);
  runtime.identity.announceMergesWith({
    targets: () => mergeNoticeTargets(runtime, noticeCache),
    queued: (connectorId) => runtime.signals.deliveriesQueued(connectorId),
  });
  return runtime;
}

/** Loads workspace plugins and the ones added with `weft plugins add`; failures are logged, never fatal. */
async function loadPlugins(registry: PluginRegistry, db: Db, config: WeftConfig, logger: Pino, skipWorkspace: boolean): Promise<void> {
  const dirs = [skipWorkspace ? undefined : defaultWorkspacePluginsDir(), config.pluginsDir].filter((dir): dir is string => !!dir);
  const specifiers = [
    ...dirs.flatMap((dir) => discoverPluginPackages(dir)).map((specifier) => ({ specifier, origin: 'workspace' as const })),
    ...(await db.select().from(installedPlugins)).map((row) => ({ specifier: row.specifier, origin: 'installed' as const })),
  ];
  for (const { specifier, origin } of specifiers) {
    try {
      await registry.load(specifier, origin);
    } catch (error) {
      logger.error({ plugin: specifier }, (error as Error).message);
    }
  }
}
