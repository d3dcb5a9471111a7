export * from './config.js';
export * from './errors.js';
export * from './runtime.js';
export * from './app.js';
export * from './server.js';
export { openDatabase, migrateDatabase, type Database, type Db, type DriverName } from './db/client.js';
export * as schema from './db/schema/index.js';
export { ensureAdminToken } from './auth/admin-tokens.js';
export { IngestWriter } from './ingest/writer.js';
export { PipelineWorker } from './engine/pipeline-worker.js';
export { DeliveryManager } from './delivery/manager.js';
export { PluginRegistry } from './plugins/registry.js';
export { ConnectorService, type ConnectorView, type ConnectorInput } from './connectors/service.js';
export { PipelineService, type PipelineView } from './pipelines/service.js';
export { ensureDemo, demoIds, localBaseUrl, type DemoSetup } from './demo/setup.js';
/** The admin API's answers as types, for clients (`import type { AdminAnswers } from '@weft/core'`); see http/admin/answers.ts. */
export type * as AdminAnswers from './http/admin/answers.js';
