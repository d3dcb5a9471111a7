import { Hono, type MiddlewareHandler } from 'hono';
import type { AppServices } from '../app.js';
import { WeftError } from '../errors.js';
import { decodeContentEncoding, parseJsonBody } from '../ingest/body.js';
import { ingestLimits } from '../ingest/limits.js';
import { eventsFromBody, ingestEndpoints, type IngestEndpoint } from '../ingest/normalize.js';
import { rawRequest, type RawRequest } from './raw-request.js';

const unauthorized = (message: string) => new WeftError(401, 'unauthorized', message);

/**
 * The Segment/RudderStack-compatible tracking API: `POST /v1/track|identify|page|screen|group|alias|batch`.
 * The write key comes as the HTTP Basic user name (password ignored) or as `writeKey` in the body;
 * the answer `200 {"success":true}` is sent only once the events are committed.
 *
 * @example
 * app.route('/', ingestRoutes({ runtime, ingest }));
 * // curl -u "$WRITE_KEY:" -d '{"userId":"u1","event":"Signed Up"}' http://localhost:8080/v1/track
 */
export function ingestRoutes({ runtime, ingest }: AppServices): Hono {
  const app = new Hono();
  app.use('/v1/*', trackingCors());
  app.use('/v1/*', async (c, next) => {
    await next();
    const endpoint = c.req.path.slice('/v1/'.length);
    const label = (ingestEndpoints as readonly string[]).includes(endpoint) ? endpoint : 'unknown';
    runtime.metrics.ingestRequests.inc({ endpoint: label, status: String(c.res.status) });
  });

  app.post('/v1/:endpoint{track|identify|page|screen|group|alias|batch}', async (c) => {
    const endpoint = c.req.param('endpoint') as IngestEndpoint;
    const receivedAt = new Date();
    const request = rawRequest(c);
    const maxBytes = endpoint === 'batch' ? ingestLimits.maxBatchBytes : ingestLimits.maxEventBytes;
    const bytes = await decodeContentEncoding(await request.body(maxBytes), request.header('content-encoding'), maxBytes);
    const body = parseJsonBody(bytes);
    const sourceId = await authenticate(request, body);
    let events;
    try {
      events = eventsFromBody(body, { endpoint, receivedAt, bodyBytes: bytes.byteLength });
    } catch (error) {
      runtime.metrics.ingestEvents.inc({ source: sourceId, outcome: 'rejected' }, countEvents(endpoint, body));
      throw error;
    }
    await ingest.write(sourceId, events);
    return c.json({ success: true });
  });

  /** The source connector the request's write key belongs to, or a 401 saying what is wrong. */
  async function authenticate(request: RawRequest, body: unknown): Promise<string> {
    const key = writeKeyFromHeader(request.header('authorization')) ?? writeKeyFromBody(body);
    if (key === undefined) {
      throw unauthorized('No write key: send it as the HTTP Basic user name (Authorization: Basic base64("<writeKey>:")) or as "writeKey" in the body');
    }
    // Real keys are short; hashing and caching megabytes of junk would only cost us.
    const sourceId = key.length <= 200 ? await runtime.connectors.authenticateWriteKey(key) : undefined;
    if (!sourceId) throw unauthorized('The write key is unknown, revoked, or its source is disabled');
    return sourceId;
  }

  return app;
}

/**
 * CORS for the tracking API: any site may send events (the write key is what authenticates), so
 * the caller's origin is reflected. Headers are added with `c.header()`, which a handler's or the
 * error handler's answer picks up, rather than on a placeholder response that would be rebuilt.
 */
function trackingCors(): MiddlewareHandler {
  return async (c, next) => {
    const request = rawRequest(c);
    const origin = request.header('origin');
    if (c.req.method === 'OPTIONS') {
      const requested = request.header('access-control-request-headers');
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin || '*',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': requested || 'Authorization, Content-Type, Content-Encoding',
        'Access-Control-Max-Age': '86400',
        Vary: 'Origin, Access-Control-Request-Headers',
      });
    }
    if (origin) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Allow-Credentials', 'true');
      c.header('Vary', 'Origin');
    }
    await next();
  };
}

/**
 * The user name of an HTTP Basic `Authorization` header: `undefined` when there is no header,
 * a 401 when there is one that is not usable Basic credentials.
 *
 * @example
 * writeKeyFromHeader('Basic YWJjMTIzOg==') // 'abc123'
 */
export function writeKeyFromHeader(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^basic\s+([A-Za-z0-9+/_-]+=*)\s*$/i.exec(header);
  if (!match) throw unauthorized('The Authorization header must be HTTP Basic credentials with the write key as user name');
  const credentials = Buffer.from(match[1]!, 'base64').toString('utf8');
  const separator = credentials.indexOf(':');
  const user = separator === -1 ? credentials : credentials.slice(0, separator);
  if (user === '') throw unauthorized('The HTTP Basic user name (the write key) is empty');
  return user;
}

function writeKeyFromBody(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const key = (body as { writeKey?: unknown }).writeKey;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

function countEvents(endpoint: IngestEndpoint, body: unknown): number {
  if (endpoint !== 'batch') return 1;
  const batch = (body as { batch?: unknown } | null)?.batch;
  return Array.isArray(batch) ? batch.length : 0;
}
