import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppServices } from '../../app.js';
import { bearerAuth, type AdminEnv } from '../../auth/middleware.js';
import { WeftError } from '../../errors.js';
import { applyOperations } from './apply.js';
import { auditOperations } from './audit.js';
import { connectorEventOperations } from './connector-events.js';
import { connectorOperations } from './connectors.js';
import { connectorSyncOperations } from './connector-sync.js';
import { deliveryOperations } from './deliveries.js';
import { eventOperations } from './events.js';
import { mountOperations, type Operation } from './operation.js';
import { pipelineOperations } from './pipelines.js';
import { pluginOperations } from './plugins.js';
import { writeKeyOperations } from './write-keys.js';
import { profileOperations } from './profiles.js';
import { identityTypeOperations } from './identity-types.js';
import { matchingOperations } from './identity-matching.js';

/** Every admin operation, in the order `/openapi.json` lists them. */
export const adminOperations: Operation[] = [
  ...pluginOperations,
  ...connectorOperations,
  ...connectorSyncOperations,
  ...writeKeyOperations,
  ...connectorEventOperations,
  ...pipelineOperations,
  ...eventOperations,
  ...deliveryOperations,
  ...profileOperations,
  ...identityTypeOperations,
  ...matchingOperations,
  ...applyOperations,
  ...auditOperations,
];

/** Largest admin request body: room for a big `weft.yaml`, not for abuse. */
const maxAdminBodyBytes = 5 * 1024 * 1024;

/**
 * The admin API, mounted under `/api/v1`: bearer token required, every body and query validated,
 * every change written to the audit log.
 *
 * @example
 * app.route('/api/v1', adminRoutes({ runtime, ingest }));
 */
export function adminRoutes(services: AppServices): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use(bearerAuth(services.runtime.db));
  app.use(
    bodyLimit({
      maxSize: maxAdminBodyBytes,
      onError: () => {
        throw new WeftError(413, 'too_large', `Admin request bodies are limited to ${maxAdminBodyBytes / 1024 / 1024} MB`);
      },
    }),
  );
  mountOperations(app, adminOperations, services);
  return app;
}
