import { Hono } from 'hono';
import type { Runtime } from '../runtime.js';
import { errorBody } from './errors.js';
import { demoIds, readDemoWriteKey } from '../demo/setup.js';
import { EchoLog, webhookSignatureProblem } from '../demo/echo-receiver.js';
import { renderDemoPage } from '../demo/page.js';

/**
 * Routes of `weft start --demo` (mounted only in demo mode): `GET /demo` (a page that sends events
 * with the browser SDK), `POST /demo/echo` (the demo webhook destination's receiver: checks the
 * signature, keeps the last 100 deliveries in memory) and `GET /demo/echo` (those deliveries).
 *
 * @example
 * if (runtime.config.demo) app.route('/', demoRoutes(runtime));
 */
export function demoRoutes(runtime: Runtime): Hono {
  const app = new Hono();
  const echoes = new EchoLog(100);

  app.get('/demo', (c) => {
    const writeKey = readDemoWriteKey(runtime.config.dataDir);
    if (!writeKey) return c.json(errorBody('not_ready', 'The demo is still being set up; reload in a moment'), 503);
    return c.html(renderDemoPage({ writeKey }));
  });

  app.post('/demo/echo', async (c) => {
    const body = await c.req.text();
    const { config } = await runtime.connectors.resolve(demoIds.destination);
    const problem = webhookSignatureProblem({
      secret: String(config.signingSecret),
      timestamp: c.req.header('weft-timestamp'),
      signature: c.req.header('weft-signature'),
      body,
      now: Date.now(),
    });
    if (problem) return c.json(errorBody('bad_signature', problem), 401);
    let parsed: { batch?: unknown };
    try {
      parsed = JSON.parse(body) as { batch?: unknown };
    } catch {
      return c.json(errorBody('invalid', 'The body is not JSON'), 400);
    }
    const events = Array.isArray(parsed.batch) ? parsed.batch : [parsed];
    echoes.record({ receivedAt: new Date().toISOString(), idempotencyKey: c.req.header('idempotency-key') ?? null, events });
    return c.json({ ok: true, received: events.length });
  });

  app.get('/demo/echo', (c) => c.json({ deliveries: echoes.list() }));
  return app;
}
