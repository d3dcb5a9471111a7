import { Hono } from 'hono';
import type { Runtime } from './runtime.js';
import { handleError, errorBody } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { ingestRoutes } from './http/ingest.js';
import { hookRoutes } from './http/hooks.js';
import { sdkRoutes } from './http/sdk.js';
import { adminRoutes } from './http/admin/index.js';
import { openApiRoutes } from './http/openapi.js';
import { demoRoutes } from './http/demo.js';
import type { IngestWriter } from './ingest/writer.js';
import type { PullRunner } from './engine/pull-runner.js';

export interface AppServices {
  runtime: Runtime;
  ingest: IngestWriter;
  /** Runs `POST /api/v1/connectors/:id/sync`; omitted, each sync gets a runner of its own. */
  pulls?: PullRunner;
}

/**
 * The whole HTTP surface as a runtime-agnostic Hono app (no port; test it with `app.request()`).
 *
 * @example
 * const app = createApp({ runtime, ingest: new IngestWriter(runtime) });
 * const res = await app.request('/healthz');
 */
export function createApp(services: AppServices): Hono {
  const app = new Hono();
  app.onError(handleError(services.runtime.logger));
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404));
  app.route('/', healthRoutes(services.runtime));
  app.route('/', ingestRoutes(services));
  app.route('/', hookRoutes(services));
  app.route('/', sdkRoutes(services.runtime));
  app.route('/', openApiRoutes());
  if (services.runtime.config.demo) app.route('/', demoRoutes(services.runtime));
  app.route('/api/v1', adminRoutes(services));
  return app;
}
