// Hostile input against a real Weft server: malformed, oversized, wrongly typed and nasty payloads
// must each get a 4xx with the JSON error shape (or a 200 when they happen to be valid events),
// never a 5xx, never a crash, never a polluted prototype.
import { request as httpRequest, Agent } from 'node:http';
import { gzipSync, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startIngestServer, type IngestServer } from './support/ingest-server.js';

interface Sent {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | string;
  /** Send without Content-Length (chunked), so only the streaming limit can stop it. */
  chunked?: boolean;
}

interface Answer {
  status: number;
  body: string;
}

const endpoints = ['/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/batch'];
const seed = 20_241_122;

describe('ingest under hostile input', () => {
  let weft: IngestServer;
  let agent: Agent;
  let auth: string;
  const answers: Array<{ sent: Sent; answer: Answer }> = [];

  beforeAll(async () => {
    weft = await startIngestServer();
    agent = new Agent({ keepAlive: true, maxSockets: 8 });
    auth = `Basic ${Buffer.from(`${weft.writeKey}:`).toString('base64')}`;
  });
  afterAll(async () => {
    agent?.destroy();
    await weft?.stop();
  });

  /** Sends raw bytes over HTTP/1.1 and records the answer. */
  function send(sent: Sent): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const body = typeof sent.body === 'string' ? Buffer.from(sent.body) : Buffer.from(sent.body);
      const headers = sent.chunked ? sent.headers : { 'content-length': String(body.byteLength), ...sent.headers };
      const req = httpRequest({ host: '127.0.0.1', port: weft.port, method: 'POST', path: sent.path, headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          const answer = { status: res.statusCode ?? 0, body: text };
          answers.push({ sent, answer });
          resolve(answer);
        });
      });
      // The server may answer 413 and stop reading before the body is written: that answer is what counts.
      req.on('error', reject);
      req.end(body);
    });
  }

  function expectWellFormed(answer: Answer, what: string): void {
    expect(answer.status, `${what} → ${answer.status} ${answer.body.slice(0, 300)}`).toBeLessThan(500);
    if (answer.status === 200) return;
    expect(answer.status, what).toBeGreaterThanOrEqual(400);
    const parsed = JSON.parse(answer.body) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof parsed.error?.code, what).toBe('string');
    expect(typeof parsed.error?.message, what).toBe('string');
    expect(answer.body, what).not.toMatch(/\n\s+at /);
  }

  const json = (path: string, value: unknown, headers: Record<string, string> = {}): Sent => ({
    path,
    headers: { authorization: auth, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value) ?? 'undefined',
  });

  // ------------------------------------------------------------ generated payloads

  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const looseScalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ unit: 'binary' }));
  const wronglyTypedEvent = fc.record(
    {
      type: fc.oneof(fc.constantFrom('track', 'identify', 'page', 'screen', 'group', 'alias', 'TRACK', ''), looseScalar),
      userId: fc.oneof(looseScalar, anyJson),
      anonymousId: looseScalar,
      event: looseScalar,
      messageId: fc.oneof(looseScalar, fc.string({ minLength: 190, maxLength: 260 })),
      properties: fc.oneof(anyJson, fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a'), anyJson)),
      traits: anyJson,
      context: fc.oneof(anyJson, fc.record({ externalIds: anyJson, traits: anyJson, consent: anyJson })),
      timestamp: fc.oneof(looseScalar, fc.constantFrom('2024-13-45T99:99:99Z', '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '1e400')),
      sentAt: fc.oneof(looseScalar, fc.double({ min: -1e20, max: 1e20 })),
      originalTimestamp: looseScalar,
      groupId: looseScalar,
      previousId: looseScalar,
    },
    { requiredKeys: [] },
  );

  it('never answers 5xx to arbitrary JSON on any endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), anyJson, async (path, value) => {
        expectWellFormed(await send(json(path, value)), `${path} ${JSON.stringify(value)}`);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('never answers 5xx to wrongly typed events, alone or in batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), fc.array(wronglyTypedEvent, { minLength: 1, maxLength: 5 }), async (path, events) => {
        const body = path === '/v1/batch' ? { batch: events, context: events[0]?.context } : events[0];
        expectWellFormed(await send(json(path, body)), `${path} ${JSON.stringify(body).slice(0, 500)}`);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('stores valid events whatever their properties and context hold (NULs, unpaired surrogates, odd keys)', async () => {
    const hostileJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
    const hostileObject = fc.dictionary(fc.string({ unit: 'binary', maxLength: 20 }), hostileJson, { maxKeys: 8 });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1e9 }), hostileObject, hostileObject, async (n, properties, context) => {
        const event = { type: 'track', userId: `hostile-${n}`, event: 'Hostile', properties, context };
        const answer = await send(json('/v1/batch', { batch: [event] }));
        expectWellFormed(answer, JSON.stringify(event).slice(0, 500));
        expect(answer.status, answer.body).toBe(200);
      }),
      { seed, numRuns: 150 },
    );
  });

  it('never answers 5xx to random bytes under any content type and encoding', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 2000 }).map((text) => Buffer.from(text))),
        fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', ''),
        fc.constantFrom('', 'gzip', 'deflate', 'identity', 'br', 'gzip, gzip'),
        async (path, bytes, contentType, encoding) => {
          const headers: Record<string, string> = { authorization: auth };
          if (contentType) headers['content-type'] = contentType;
          if (encoding) headers['content-encoding'] = encoding;
          expectWellFormed(await send({ path, headers, body: bytes }), `${path} ${contentType} ${encoding} ${bytes.byteLength} bytes`);
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('never answers 5xx to strange Authorization headers and write keys', async () => {
    const headerValue = fc.string({ unit: 'binary-ascii', maxLength: 300 }).map((text) => text.replace(/[^\x20-\x7e]/g, ''));
    const authorization = fc.oneof(
      headerValue,
      headerValue.map((text) => `Basic ${text}`),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => `Basic ${Buffer.from(bytes).toString('base64')}`),
      fc.constantFrom('Basic', 'Basic ', 'Basic ====', 'basic Og==', 'Bearer x', 'Basic Og=', `Basic ${'A'.repeat(6000)}`),
    );
    const writeKey = fc.oneof(fc.string(), fc.integer(), fc.constant(null), anyJson, fc.string({ minLength: 1000, maxLength: 5000 }));
    await fc.assert(
      fc.asyncProperty(fc.option(authorization), writeKey, async (header, key) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (header !== null) headers.authorization = header;
        const answer = await send({ path: '/v1/track', headers, body: JSON.stringify({ writeKey: key, userId: 'u1', event: 'E' }) });
        expectWellFormed(answer, `authorization ${String(header).slice(0, 80)}, writeKey ${JSON.stringify(key)?.slice(0, 80)}`);
        expect(answer.status, String(header)).toBe(401);
      }),
      { seed, numRuns: 150 },
    );
  });

  // ------------------------------------------------------------ hand-written nasty cases

  it('withstands hand-written nasty payloads', async () => {
    const event = { type: 'track', userId: 'nasty', event: 'Nasty' };
    const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const headers = { authorization: auth, 'content-type': 'application/json' };
    const raw = (path: string, body: string | Uint8Array, extra: Record<string, string> = {}): Sent => ({ path, headers: { ...headers, ...extra }, body });
    const cases: Array<[string, Sent, number?]> = [
      ['prototype pollution at the top', raw('/v1/track', '{"type":"track","userId":"p1","event":"E","__proto__":{"polluted":true}}'), 200],
      ['prototype pollution in properties', raw('/v1/track', '{"userId":"p2","event":"E","properties":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}'), 200],
      ['prototype pollution in a batch envelope', raw('/v1/batch', '{"__proto__":{"polluted":true},"context":{"__proto__":{"polluted":true}},"batch":[{"type":"track","userId":"p3","event":"E"}]}'), 200],
      ['nesting 100 levels in properties', json('/v1/track', { ...event, properties: JSON.parse(deepObject(100)) }), 400],
      ['100,000 nested arrays', raw('/v1/batch', `{"batch":${deepArray(100_000)}}`), 400],
      ['100,000 nested arrays in an event', raw('/v1/batch', `{"batch":[{"type":"track","userId":"u","event":"E","properties":{"x":${deepArray(100_000)}}}]}`), 400],
      ['huge numbers', raw('/v1/track', '{"userId":"n1","event":"E","properties":{"big":1e400,"neg":-1e400,"long":123456789012345678901234567890123456789}}'), 200],
      ['a timestamp past the end of time', raw('/v1/track', '{"userId":"u","event":"E","timestamp":1e20}'), 400],
      ['times PostgreSQL cannot store (years outside 1 to 9999)', json('/v1/track', { ...event, originalTimestamp: -8.64e15, sentAt: 8.64e15 }), 400],
      ['a skew correction that would leave the years 1 to 9999', json('/v1/track', { ...event, originalTimestamp: '0001-01-01T00:00:00.000Z', sentAt: '9999-12-31T00:00:00.000Z' }), 200],
      ['NUL and unpaired surrogates', raw('/v1/track', '{"userId":"nul\\u0000","event":"E\\ud800","properties":{"k\\u0000":"\\udfff","ok":"\\ud83d\\ude00"}}'), 200],
      ['invalid UTF-8', raw('/v1/track', new Uint8Array([...Buffer.from('{"userId":"'), 0xc3, 0x28, ...Buffer.from('","event":"E"}')])), 400],
      ['a UTF-8 byte order mark', raw('/v1/track', new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(JSON.stringify(event))])), 200],
      ['an empty body', raw('/v1/track', ''), 400],
      ['null', raw('/v1/batch', 'null'), 400],
      ['a bare string', raw('/v1/track', '"track"'), 400],
      ['JSON with a trailing comma', raw('/v1/track', '{"userId":"u","event":"E",}'), 400],
      ['two JSON documents', raw('/v1/track', '{"userId":"u","event":"E"}{"userId":"v"}'), 400],
      ['form-encoded body', raw('/v1/track', 'userId=u&event=E', { 'content-type': 'application/x-www-form-urlencoded' }), 400],
      ['multipart body', raw('/v1/track', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }), 400],
      ['gzip header then garbage', raw('/v1/batch', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]), { 'content-encoding': 'gzip' }), 400],
      ['truncated gzip', raw('/v1/batch', gzipSync(JSON.stringify({ batch: [event] })).subarray(0, 20), { 'content-encoding': 'gzip' }), 400],
      ['gzip of gzip', raw('/v1/batch', gzipSync(gzipSync(JSON.stringify({ batch: [event] }))), { 'content-encoding': 'gzip' }), 400],
      ['gzip claimed, plain JSON sent', raw('/v1/track', JSON.stringify(event), { 'content-encoding': 'gzip' }), 400],
      ['deflate bomb', raw('/v1/batch', deflateSync(Buffer.alloc(50 * 1024 * 1024, 0x20)), { 'content-encoding': 'deflate' }), 413],
      ['gzip bomb', raw('/v1/batch', gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)), { 'content-encoding': 'gzip' }), 413],
      ['a chunked body over 500 KB', { ...raw('/v1/batch', 'x'.repeat(600 * 1024)), chunked: true }, 413],
      ['a Content-Length over the limit', raw('/v1/track', 'x'.repeat(40 * 1024)), 413],
      ['2,501 events in one batch', json('/v1/batch', { batch: Array.from({ length: 2501 }, () => event) }), 413],
      ['a 201-character messageId', json('/v1/track', { ...event, messageId: 'm'.repeat(201) }), 400],
      ['an event that is an array', json('/v1/batch', { batch: [[event]] }), 400],
      ['batch that is a string', json('/v1/batch', { batch: 'all of them' }), 400],
      ['context that is a number', json('/v1/batch', { context: 7, batch: [event] }), 400],
      ['externalIds that are not objects', json('/v1/track', { ...event, context: { externalIds: ['x', 1, null] } }), 400],
    ];
    for (const [what, sent, expected] of cases) {
      const answer = await send(sent);
      expectWellFormed(answer, what);
      if (expected !== undefined) expect(answer.status, `${what}: ${answer.body.slice(0, 200)}`).toBe(expected);
    }
  });

  it('sent over 1,000 payloads, none polluted a prototype, and the server still works', async () => {
    expect(answers.length).toBeGreaterThanOrEqual(1000);
    expect(answers.filter(({ answer }) => answer.status >= 500)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    const health = await fetch(`${weft.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ok = await send(json('/v1/track', { userId: 'after-fuzz', event: 'Still Here', messageId: 'after-fuzz' }));
    expect(ok.status).toBe(200);
    const [row] = await weft.sql<Array<{ payload: Record<string, unknown> }>>`select payload from events where message_id = 'after-fuzz'`;
    expect(row?.payload).toMatchObject({ event: 'Still Here' });
  });
});
