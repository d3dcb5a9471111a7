import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import type { Runtime } from '../runtime.js';

/** `/healthz` (the process is up), `/readyz` (the database answers), `/metrics` (Prometheus). */
export function healthRoutes(runtime: Runtime): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await runtime.database.query(sql`select 1`);
    } catch (error) {
      return c.json({ status: 'unavailable', database: (error as Error).message }, 503);
    }
    if (runtime.shutdown.signal.aborted) return c.json({ status: 'shutting-down' }, 503);
    return c.json({ status: 'ready', driver: runtime.database.driver, pluginFailures: runtime.registry.failures });
  });
  app.get('/metrics', async (c) => {
    const body = await runtime.metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': runtime.metrics.registry.contentType });
  });
  return app;
}
