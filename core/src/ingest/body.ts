import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate, type ZlibOptions } from 'node:zlib';
import { WeftError } from '../errors.js';
import { formatBytes } from './limits.js';

const gunzipAsync = promisify<Buffer, ZlibOptions, Buffer>(gunzip);
const inflateAsync = promisify<Buffer, ZlibOptions, Buffer>(inflate);

export const tooLarge = (message: string) => new WeftError(413, 'too_large', message);
const badBody = (message: string) => new WeftError(400, 'invalid_body', message);

/**
 * Refuses a request whose `Content-Length` already says it is over `maxBytes`, before reading a byte.
 *
 * @example
 * assertContentLength(request.headers.get('content-length'), 32 * 1024);
 */
export function assertContentLength(contentLength: string | null | undefined, maxBytes: number): void {
  if (!contentLength) return;
  const length = Number(contentLength);
  if (Number.isFinite(length) && length > maxBytes) {
    throw tooLarge(`The request body is ${formatBytes(length)}; the limit is ${formatBytes(maxBytes)}`);
  }
}

/**
 * Reads a request body as bytes, stopping with a 413 as soon as it passes `maxBytes`
 * (a missing or lying `Content-Length` does not get around the limit).
 *
 * @example
 * const bytes = await readBodyBytes(request, 500 * 1024);
 */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Buffer> {
  assertContentLength(request.headers.get('content-length'), maxBytes);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw badBody('The request body could not be read (the connection broke off)');
    }
    if (chunk.done) break;
    total += chunk.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(`The request body is over ${formatBytes(maxBytes)}, the limit`);
    }
    chunks.push(chunk.value);
  }
  return chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength) : Buffer.concat(chunks, total);
}

/**
 * `readBodyBytes` for Node's own request object (or any readable with headers), same limits and errors.
 *
 * @example
 * const bytes = await readIncomingBytes(incomingMessage, 500 * 1024);
 */
export function readIncomingBytes(incoming: IncomingMessage, maxBytes: number): Promise<Buffer> {
  assertContentLength(incoming.headers['content-length'], maxBytes);
  if (incoming.readableEnded) return Promise.reject(badBody('The request body was already read'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stop = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    // Past the limit we stop listening; the HTTP server drains or closes the rest of the upload.
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        stop();
        reject(tooLarge(`The request body is over ${formatBytes(maxBytes)}, the limit`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = () => {
      stop();
      reject(badBody('The request body could not be read (the connection broke off)'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}

/**
 * Undoes `Content-Encoding: gzip` (or `deflate`), refusing output over `maxBytes`: a small
 * compressed body must not expand into a huge one (a zip bomb).
 */
export async function decodeContentEncoding(bytes: Buffer, contentEncoding: string | null | undefined, maxBytes: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return bytes;
  const decompress = encoding === 'gzip' || encoding === 'x-gzip' ? gunzipAsync : encoding === 'deflate' ? inflateAsync : undefined;
  if (!decompress) {
    throw new WeftError(415, 'unsupported_encoding', `Content-Encoding '${encoding}' is not supported; send gzip, deflate or an uncompressed body`);
  }
  try {
    return await decompress(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(`The decompressed request body is over ${formatBytes(maxBytes)}, the limit`);
    }
    throw badBody(`The request body is not valid ${encoding} data`);
  }
}

/**
 * Parses a body as JSON whatever the `Content-Type` (browsers' `sendBeacon` sends `text/plain`);
 * invalid UTF-8 and invalid JSON are 400s.
 *
 * @example
 * const body = parseJsonBody(Buffer.from('{"type":"track"}'));
 */
export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.byteLength === 0) throw badBody('The request body is empty; expected JSON');
  if (!isUtf8(bytes)) throw badBody('The request body is not valid UTF-8');
  const text = bytes.toString('utf8');
  try {
    // A byte order mark is legal at the start of UTF-8 text but not in JSON.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw badBody(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}
