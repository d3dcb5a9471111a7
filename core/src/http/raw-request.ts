import { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { readBodyBytes, readIncomingBytes } from '../ingest/body.js';

/** The parts of a request the tracking API reads: headers and the body as bytes, under a size limit. */
export interface RawRequest {
  header(name: string): string | undefined;
  body(maxBytes: number): Promise<Buffer>;
}

/**
 * The request behind `c`. On @hono/node-server it is read straight from Node's IncomingMessage:
 * building a web `Request` and its `Headers` costs more than everything else a single-event
 * request does. Elsewhere (`app.request()` in tests, other runtimes) the web `Request` serves.
 *
 * @example
 * const request = rawRequest(c);
 * const bytes = await request.body(32 * 1024);
 */
export function rawRequest(c: Context): RawRequest {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (incoming instanceof IncomingMessage) {
    return {
      header: (name) => {
        const value = incoming.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      body: (maxBytes) => readIncomingBytes(incoming, maxBytes),
    };
  }
  return {
    header: (name) => c.req.header(name),
    body: (maxBytes) => readBodyBytes(c.req.raw, maxBytes),
  };
}
