import { Hono, type Context } from 'hono';
import { isPluginError, type HandleResult, type PluginContext, type SourceComponent } from '@weft/plugin-sdk';
import type { AppServices } from '../app.js';
import { createPluginContext } from '../connectors/context.js';
import { WeftError } from '../errors.js';
import { errorBody } from './errors.js';
import { readBodyBytes } from '../ingest/body.js';
import { ingestLimits } from '../ingest/limits.js';
import { normalizeEvents } from '../ingest/normalize.js';
import type { Runtime } from '../runtime.js';

/** A source connector ready to take webhook requests. */
interface HookTarget {
  enabled: boolean;
  handle: NonNullable<SourceComponent['handle']>;
  context: PluginContext<Record<string, unknown>>;
}

/** How long a resolved connector is reused: decrypting its config on every request is slow. */
const connectorCacheMs = 5_000;

/**
 * Source webhooks: any method on `/hooks/:connectorId` and `/hooks/:connectorId/*` is handed to
 * the source's `handle(request, ctx)`; the events it returns are validated and committed under
 * that connector, then its `response` (default `200 {"success":true}`) is sent.
 *
 * @example
 * app.route('/', hookRoutes({ runtime, ingest }));
 * // curl -X POST -d '{"id":1}' http://localhost:8080/hooks/my-webhook-source
 */
export function hookRoutes({ runtime, ingest }: AppServices): Hono {
  const app = new Hono();
  const targets = new HookTargetCache(runtime);
  app.use('/hooks/*', async (c, next) => {
    await next();
    runtime.metrics.ingestRequests.inc({ endpoint: 'hooks', status: String(c.res.status) });
  });

  const handleHook = async (c: Context) => {
    const connectorId = c.req.param('connectorId')!;
    const target = await targets.get(connectorId);
    if (!target.enabled) throw new WeftError(403, 'connector_disabled', `Source connector '${connectorId}' is disabled; enable it to accept webhooks`);
    const request = await boundedRequest(c.req.raw);
    const receivedAt = new Date();
    const result = await runHandle(target, request, connectorId, runtime);
    if (result instanceof Response) return result;
    const events = normalizeEvents(result.events, { receivedAt, pathPrefix: 'events' });
    await ingest.write(connectorId, events);
    return result.response ?? c.json({ success: true });
  };
  app.all('/hooks/:connectorId', handleHook);
  app.all('/hooks/:connectorId/*', handleHook);
  return app;
}

/** Resolved source connectors, kept briefly; only successes are cached, so a new connector works at once. */
class HookTargetCache {
  readonly #cache = new Map<string, { target: Promise<HookTarget>; until: number }>();

  constructor(private readonly runtime: Runtime) {}

  get(connectorId: string): Promise<HookTarget> {
    const now = Date.now();
    const cached = this.#cache.get(connectorId);
    if (cached && cached.until > now) return cached.target;
    const target = this.#resolve(connectorId);
    if (this.#cache.size > 1_000) this.#cache.clear();
    this.#cache.set(connectorId, { target, until: now + connectorCacheMs });
    target.catch(() => this.#cache.delete(connectorId));
    return target;
  }

  async #resolve(connectorId: string): Promise<HookTarget> {
    const noHooks = (why: string) => new WeftError(404, 'not_found', `No webhook at /hooks/${connectorId}: ${why}`);
    let resolved;
    try {
      resolved = await this.runtime.connectors.resolve(connectorId);
    } catch (error) {
      if (error instanceof WeftError && error.status === 404) throw noHooks(`connector '${connectorId}' does not exist`);
      // The connector exists but cannot run (its plugin failed to load, its stored config no longer validates).
      this.runtime.logger.error({ err: error, connector: connectorId }, 'webhook source cannot be resolved');
      throw new WeftError(503, 'connector_unavailable', `Source connector '${connectorId}' cannot run right now: ${(error as Error).message}`);
    }
    const { component, row } = resolved;
    if (component.kind !== 'source') throw noHooks(`connector '${connectorId}' is a ${component.kind}, not a source`);
    if (!component.handle) throw noHooks(`source '${connectorId}' (${row.pluginId}/${row.component}) does not accept webhooks`);
    const { db, logger, metrics } = this.runtime;
    const context = createPluginContext({ db, logger, metrics, signal: this.runtime.shutdown.signal }, resolved);
    return { enabled: row.enabled, handle: component.handle.bind(component), context };
  }
}

/** The request with its body read under the webhook size limit, so a plugin never reads an unbounded body. */
async function boundedRequest(request: Request): Promise<Request> {
  if (request.method === 'GET' || request.method === 'HEAD') return request;
  const body = await readBodyBytes(request, ingestLimits.maxHookBytes);
  return new Request(request.url, { method: request.method, headers: request.headers, body: body as Uint8Array<ArrayBuffer> });
}

/**
 * Runs the plugin's `handle`, turning its SDK errors into answers the caller can act on; a
 * rate-limited or transient error with a retry delay becomes an answer with `Retry-After`.
 */
async function runHandle(target: HookTarget, request: Request, connectorId: string, runtime: Runtime): Promise<HandleResult | Response> {
  let result: HandleResult;
  try {
    result = await target.handle(request, target.context);
  } catch (error) {
    const answer = handleError(error, connectorId, runtime);
    const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
    if (!isPluginError(error) || typeof retryAfterMs !== 'number') throw answer;
    const headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
    return Response.json(errorBody(answer.code, answer.message), { status: answer.status, headers });
  }
  if (result === null || typeof result !== 'object' || !Array.isArray(result.events)) {
    runtime.logger.error({ connector: connectorId }, 'source handle() returned no events array');
    throw new WeftError(500, 'plugin_error', `Source connector '${connectorId}' returned an invalid result; the server log has the details`);
  }
  return result;
}

function handleError(error: unknown, connectorId: string, runtime: Runtime): WeftError {
  if (isPluginError(error)) {
    const message = error.message;
    switch (error.kind) {
      case 'auth':
        return new WeftError(401, 'unauthorized', message);
      case 'validation':
      case 'config':
        return new WeftError(400, 'invalid', message);
      case 'rate-limited':
        return new WeftError(429, 'rate_limited', message);
      case 'transient':
        return new WeftError(503, 'unavailable', message);
    }
  }
  // `await request.json()` on a malformed body is the sender's mistake, not ours.
  if (error instanceof SyntaxError) return new WeftError(400, 'invalid_body', `The request body could not be parsed: ${error.message}`);
  runtime.logger.error({ err: error, connector: connectorId }, 'source handle() failed');
  return new WeftError(500, 'plugin_error', `Source connector '${connectorId}' failed to handle the request; the server log has the details`);
}
