import { describe, expect, it } from 'vitest';
import {
  AuthError,
  classifyHttpResponse,
  ConfigError,
  isPluginError,
  parseRetryAfter,
  RateLimitedError,
  TransientError,
  ValidationError,
} from './errors.js';

const respond = (status: number, body = '', headers: Record<string, string> = {}) => new Response(status === 204 ? null : body, { status, headers });

describe('classifyHttpResponse', () => {
  it('answers undefined for a 2xx', async () => {
    expect(await classifyHttpResponse(respond(200, '{}'))).toBeUndefined();
    expect(await classifyHttpResponse(respond(204))).toBeUndefined();
  });

  it.each([500, 502, 503, 504, 599])('treats %i as transient (retried)', async (status) => {
    const error = await classifyHttpResponse(respond(status, 'upstream down'), 'Acme');
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ kind: 'transient', retryable: true, status });
  });

  it('treats 408 Request Timeout as transient', async () => {
    expect(await classifyHttpResponse(respond(408))).toBeInstanceOf(TransientError);
  });

  it('treats 501 Not Implemented as permanent: retrying cannot help', async () => {
    const error = await classifyHttpResponse(respond(501));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.retryable).toBe(false);
  });

  it('treats 429 as rate-limited and keeps Retry-After in milliseconds', async () => {
    const error = await classifyHttpResponse(respond(429, 'slow down', { 'retry-after': '30' }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ kind: 'rate-limited', retryable: true, status: 429, retryAfterMs: 30_000 });
  });

  it('treats 429 without Retry-After as rate-limited with no delay of its own', async () => {
    const error = await classifyHttpResponse(respond(429));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeUndefined();
  });

  it('honours Retry-After on a 503 too', async () => {
    const error = await classifyHttpResponse(respond(503, '', { 'retry-after': '5' }));
    expect(error).toMatchObject({ kind: 'transient', retryAfterMs: 5_000 });
  });

  it.each([401, 403])('treats %i as an auth error (pauses the connector)', async (status) => {
    const error = await classifyHttpResponse(respond(status, 'bad token'));
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ kind: 'auth', retryable: false, status });
  });

  it.each([400, 404, 409, 410, 413, 422])('treats %i as a permanent refusal of the item', async (status) => {
    const error = await classifyHttpResponse(respond(status));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ kind: 'validation', retryable: false, status });
  });

  it('names the vendor, the status and the start of the body in the message', async () => {
    const error = await classifyHttpResponse(new Response('{"error":"unknown list"}', { status: 404, statusText: 'Not Found' }), 'Mailchimp');
    expect(error?.message).toBe('Mailchimp answered 404 Not Found: {"error":"unknown list"}');
  });

  it('cuts a long body to 300 characters', async () => {
    const error = await classifyHttpResponse(respond(400, 'x'.repeat(1_000)));
    expect(error?.message).toBe(`destination answered 400: ${'x'.repeat(300)}…`);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter('1.5')).toBe(1_500);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:45 GMT', now)).toBe(45_000);
  });

  it('reads the obsolete RFC 850 date form', () => {
    const now = Date.parse('Sun, 06 Nov 1994 08:49:00 GMT');
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37_000);
  });

  it('answers 0 for an HTTP date in the past', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
  });

  it('answers undefined for a missing, empty or unreadable header', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('  ')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
  });
});

describe('the error classes', () => {
  it('carry their kind, retryability, status and cause', () => {
    const cause = new Error('socket hang up');
    const error = new TransientError('Acme is down', { cause, status: 502, retryAfterMs: 1_000 });
    expect(error).toMatchObject({ name: 'TransientError', kind: 'transient', retryable: true, status: 502, retryAfterMs: 1_000, cause });
    expect(new ConfigError('no region')).toMatchObject({ name: 'ConfigError', kind: 'config', retryable: false });
    expect(new ConfigError('no region').status).toBeUndefined();
  });

  it('are recognised by shape, so a plugin bundling its own SDK copy is understood', () => {
    const foreign = Object.assign(new Error('token expired'), { kind: 'auth', retryable: false });
    expect(isPluginError(foreign)).toBe(true);
    expect(isPluginError(new AuthError('x'))).toBe(true);
    expect(isPluginError(Object.assign(new Error('x'), { kind: 'mystery' }))).toBe(false);
    expect(isPluginError({ kind: 'auth', message: 'not an Error' })).toBe(false);
    expect(isPluginError(new TypeError('x'))).toBe(false);
  });
});
