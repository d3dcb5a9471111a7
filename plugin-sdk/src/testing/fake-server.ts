import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake vendor received. */
export interface FakeRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The raw body as text. */
  body: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: unknown;
}

/** How the fake vendor answers one request. */
export interface FakeResponse {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent as it is (when there is no `json`). */
  body?: string;
  /** Never answer: the request stays open until the server closes (to exercise timeouts). */
  hang?: boolean;
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** One response for every request, a sequence (the last one repeats once it is used up), or a function. */
export type FakeScript = FakeResponse | FakeResponse[] | FakeHandler;

/**
 * Scripts by route: `'POST /v1/batch'`, `'/v1/me'` (any method) or `'/v1/*'` (a path prefix).
 * A request no route matches gets a 404 naming it.
 */
export type FakeRoutes = Record<string, FakeScript>;

export interface FakeServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** Every request received so far, in arrival order. */
  readonly requests: FakeRequest[];
  /** Replaces the script (sequences start again from their first response). */
  respond(script: FakeScript | FakeRoutes): void;
  /** Resolves once `count` requests have arrived in total; rejects after `timeoutMs` (default 5000) saying how many came. */
  waitForRequests(count: number, timeoutMs?: number): Promise<FakeRequest[]>;
  /** Closes the server, cutting off any request still waiting for an answer. */
  close(): Promise<void>;
}

const responseKeys: ReadonlySet<string> = new Set(['status', 'headers', 'json', 'body', 'hang']);
const routePattern = /^(?:[A-Z]+ )?\//;

/**
 * Starts a real HTTP server on 127.0.0.1 (a free port) that plays a vendor: it records every
 * request and answers from a script.
 *
 * @example
 * const vendor = await startFakeServer({ 'POST /v1/events': [{ status: 500 }, { status: 500 }, { status: 200, json: { ok: true } }] });
 * // … point the plugin at vendor.url, send …
 * expect(vendor.requests).toHaveLength(3);
 * await vendor.close();
 *
 * @example
 * await startFakeServer({ status: 429, headers: { 'retry-after': '7' } });
 */
export async function startFakeServer(script: FakeScript | FakeRoutes = {}): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const arrivals = new EventTarget();
  let answer = compile(script);
  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const request = await receive(incoming);
      requests.push(request);
      arrivals.dispatchEvent(new Event('request'));
      const response: FakeResponse = await answer(request).catch((error: unknown) => ({ status: 500, body: `fake server script failed: ${(error as Error).message}` }));
      if (!response.hang) reply(outgoing, response);
    })().catch(() => outgoing.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      answer = compile(next);
    },
    waitForRequests(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          cleanup();
          resolve(requests.slice());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`the fake server got ${requests.length} of the ${count} requests expected within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          arrivals.removeEventListener('request', check);
        };
        arrivals.addEventListener('request', check);
        check();
      });
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function receive(incoming: IncomingMessage): Promise<FakeRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { method: incoming.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body, json: parseJson(body) };
}

function parseJson(body: string): unknown {
  if (body === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function reply(outgoing: ServerResponse, response: FakeResponse): void {
  const headers = { ...response.headers };
  let body = response.body ?? '';
  if (response.json !== undefined) {
    body = JSON.stringify(response.json);
    headers['content-type'] ??= 'application/json';
  }
  outgoing.writeHead(response.status ?? 200, headers);
  outgoing.end(body);
}

/** Turns a script into a function answering one request. */
function compile(script: FakeScript | FakeRoutes): (request: FakeRequest) => Promise<FakeResponse> {
  if (isRoutes(script)) {
    const routes = Object.entries(script).map(([route, routeScript]) => ({ matches: routeMatcher(route), answer: compile(routeScript) }));
    return async (request) => {
      const route = routes.find(({ matches }) => matches(request));
      return route ? route.answer(request) : { status: 404, json: { error: `the fake server has no route for ${request.method} ${request.path}` } };
    };
  }
  if (typeof script === 'function') return async (request) => script(request);
  if (Array.isArray(script)) {
    if (script.length === 0) throw new TypeError('startFakeServer: a response sequence needs at least one response');
    let next = 0;
    return async () => script[Math.min(next++, script.length - 1)]!;
  }
  return async () => script;
}

function isRoutes(script: FakeScript | FakeRoutes): script is FakeRoutes {
  if (typeof script === 'function' || Array.isArray(script)) return false;
  const keys = Object.keys(script);
  if (keys.length > 0 && keys.every((key) => routePattern.test(key))) return true;
  const unknown = keys.filter((key) => !responseKeys.has(key));
  if (unknown.length > 0) {
    throw new TypeError(`startFakeServer: ${unknown.join(', ')} is neither a response field (status, headers, json, body, hang) nor a route like 'POST /path'`);
  }
  return false;
}

function routeMatcher(route: string): (request: FakeRequest) => boolean {
  const [method, path] = route.includes(' ') ? (route.split(' ', 2) as [string, string]) : [undefined, route];
  const prefix = path.endsWith('*') ? path.slice(0, -1) : undefined;
  return (request) => (method === undefined || request.method === method) && (prefix === undefined ? request.path === path : request.path.startsWith(prefix));
}
