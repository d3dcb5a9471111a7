import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { IngestWriter } from '../src/ingest/writer.js';
import { basicAuth, createIngestFixture, post, storedEventsWithPrefix, type IngestFixture } from './ingest-support.js';

const docExamples = JSON.parse(readFileSync(new URL('./fixtures/segment-http/segment-http-api-doc-examples.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

describe('tracking API (/v1/*)', () => {
  let f: IngestFixture;
  beforeAll(async () => {
    f = await createIngestFixture();
  });
  afterAll(async () => f.cleanup());

  const single = {
    track: { userId: 'u-track', event: 'Order Completed', properties: { revenue: 12.5 } },
    identify: { userId: 'u-identify', traits: { email: 'a@example.com' } },
    page: { anonymousId: 'anon-page', name: 'Home' },
    screen: { userId: 'u-screen', name: 'Settings' },
    group: { userId: 'u-group', groupId: 'acme' },
    alias: { userId: 'u-alias', previousId: 'anon-alias' },
  };

  for (const [type, body] of Object.entries(single)) {
    it(`commits a ${type} event before answering 200 {"success":true}`, async () => {
      const messageId = `msg-${type}-1`;
      const response = await post(f, `/v1/${type}`, { ...body, messageId });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ success: true });
      const [row] = await storedEventsWithPrefix(f, messageId);
      expect(row).toMatchObject({ source_id: 'web', type, state: 'pending', message_id: messageId });
      expect(row!.payload).toMatchObject({ ...body, type, messageId });
    });
  }

  it('takes the write key from "writeKey" in the body and does not store it', async () => {
    const response = await f.app.request('/v1/track', {
      method: 'POST',
      body: JSON.stringify({ writeKey: f.writeKey, userId: 'u1', event: 'Body Key', messageId: 'msg-body-key' }),
    });
    expect(response.status).toBe(200);
    const [row] = await storedEventsWithPrefix(f, 'msg-body-key');
    expect(row!.payload).not.toHaveProperty('writeKey');
  });

  it('lets the endpoint decide the type when the body names another', async () => {
    await post(f, '/v1/identify', { type: 'track', userId: 'u1', messageId: 'msg-path-type' });
    const [row] = await storedEventsWithPrefix(f, 'msg-path-type');
    expect(row).toMatchObject({ type: 'identify', payload: expect.objectContaining({ type: 'identify' }) });
  });

  it('keeps fields it does not know, generates a messageId and stamps receivedAt', async () => {
    const before = Date.now();
    await post(f, '/v1/track', { userId: 'no-id-user', event: 'No Id', channel: 'server', custom: { nested: [1, 2] } });
    const after = Date.now();
    const rows = await f.t.runtime.database.query<{ payload: Record<string, string> }>(
      sql`select payload from events where payload->>'userId' = 'no-id-user'`,
    );
    const payload = rows[0]!.payload;
    expect(payload.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload).toMatchObject({ channel: 'server', custom: { nested: [1, 2] } });
    expect(Date.parse(payload.receivedAt!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(payload.receivedAt!)).toBeLessThanOrEqual(after);
    expect(payload.timestamp).toBe(payload.receivedAt);
  });

  it('corrects the client clock: timestamp = receivedAt − (sentAt − originalTimestamp)', async () => {
    // The client clock runs an hour fast; the event happened 5 s before it was sent.
    const clientNow = Date.now() + 3_600_000;
    await post(f, '/v1/track', {
      userId: 'u1',
      event: 'Skewed',
      messageId: 'msg-skew',
      originalTimestamp: new Date(clientNow - 5_000).toISOString(),
      sentAt: new Date(clientNow).toISOString(),
    });
    const [row] = await storedEventsWithPrefix(f, 'msg-skew');
    const { timestamp, receivedAt, originalTimestamp } = row!.payload as Record<string, string>;
    expect(Date.parse(receivedAt!) - Date.parse(timestamp!)).toBe(5_000);
    expect(originalTimestamp).toBe(new Date(clientNow - 5_000).toISOString());
  });

  it('stores every event of a batch, with the batch context, integrations and sentAt under each event’s own', async () => {
    const response = await post(f, '/v1/batch', {
      context: { ip: '10.0.0.1', library: { name: 'batch-lib' } },
      integrations: { All: false },
      sentAt: '2024-05-01T10:00:00.000Z',
      batch: [
        { type: 'identify', userId: 'b1', messageId: 'msg-batch-0', traits: { plan: 'pro' } },
        { type: 'track', userId: 'b1', messageId: 'msg-batch-1', event: 'Clicked', context: { ip: '10.9.9.9' }, sentAt: '2024-05-01T10:00:01.000Z' },
      ],
    });
    expect(response.status).toBe(200);
    const rows = await storedEventsWithPrefix(f, 'msg-batch-');
    expect(rows.map((row) => row.type)).toEqual(['identify', 'track']);
    expect(rows[0]!.payload).toMatchObject({ context: { ip: '10.0.0.1', library: { name: 'batch-lib' } }, integrations: { All: false }, sentAt: '2024-05-01T10:00:00.000Z' });
    expect(rows[1]!.payload).toMatchObject({ context: { ip: '10.9.9.9', library: { name: 'batch-lib' } }, sentAt: '2024-05-01T10:00:01.000Z' });
  });

  it('accepts a duplicate messageId and stores it once', async () => {
    const event = { userId: 'u1', event: 'Twice', messageId: 'msg-dup' };
    expect((await post(f, '/v1/track', event)).status).toBe(200);
    expect((await post(f, '/v1/track', { ...event, event: 'Changed' })).status).toBe(200);
    const rows = await storedEventsWithPrefix(f, 'msg-dup');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload.event).toBe('Twice');
  });

  it('reads a gzip body (the RudderStack node SDK compresses)', async () => {
    const body = gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'gz', event: 'Zipped', messageId: 'msg-gzip' }] }));
    const response = await post(f, '/v1/batch', new Uint8Array(body), { 'content-encoding': 'gzip', 'content-type': 'application/octet-stream' });
    expect(response.status).toBe(200);
    expect(await storedEventsWithPrefix(f, 'msg-gzip')).toHaveLength(1);
  });

  it('parses a text/plain body as JSON (navigator.sendBeacon)', async () => {
    const response = await post(f, '/v1/page', { anonymousId: 'a1', messageId: 'msg-beacon' }, { 'content-type': 'text/plain;charset=UTF-8' });
    expect(response.status).toBe(200);
    expect(await storedEventsWithPrefix(f, 'msg-beacon')).toHaveLength(1);
  });

  it('accepts every example of Segment’s HTTP API documentation', async () => {
    const examples = Object.entries(docExamples).filter(([name]) => name.startsWith('POST '));
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const [name, body] of examples) {
      const path = name.split(' ')[1]!;
      // The examples carry "writeKey": "YOUR_WRITE_KEY"; the real key goes in the header.
      const response = await post(f, path, body);
      expect(response.status, `${name}: ${await response.clone().text()}`).toBe(200);
    }
    const rows = await f.t.runtime.database.query<{ count: number }>(sql`select count(*)::int as count from events where payload->>'userId' in ('019mr8mf4r', '971mj8mk7p')`);
    expect(rows[0]!.count).toBe(examples.length - 1 + 4);
  });

  describe('authentication', () => {
    it('answers 401 without a write key', async () => {
      const response = await f.app.request('/v1/track', { method: 'POST', body: JSON.stringify({ userId: 'u1', event: 'E' }) });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.stringContaining('write key') } });
    });

    it('answers 401 for an unknown write key', async () => {
      const response = await post(f, '/v1/track', { userId: 'u1', event: 'E' }, { authorization: basicAuth('wk_not_a_real_key') });
      expect(response.status).toBe(401);
    });

    it('answers 401 for an Authorization header that is not Basic credentials', async () => {
      for (const authorization of ['Bearer abc', 'Basic', 'Basic !!!', `Basic ${Buffer.from(':only-password').toString('base64')}`]) {
        const response = await post(f, '/v1/track', { userId: 'u1', event: 'E' }, { authorization });
        expect(response.status, authorization).toBe(401);
      }
    });

    it('answers 401 once the key is revoked or its source disabled', async () => {
      const { id, key } = await f.t.runtime.connectors.issueWriteKey('web');
      expect((await post(f, '/v1/track', { userId: 'u1', event: 'E' }, { authorization: basicAuth(key) })).status).toBe(200);
      await f.t.runtime.connectors.revokeWriteKey('web', id);
      expect((await post(f, '/v1/track', { userId: 'u1', event: 'E' }, { authorization: basicAuth(key) })).status).toBe(401);

      const { writeKey } = await f.t.runtime.connectors.create({ id: 'web-off', plugin: 'test-sources', component: 'web' });
      await f.t.runtime.connectors.setEnabled('web-off', false);
      f.t.runtime.connectors.forgetCachedKeys();
      expect((await post(f, '/v1/track', { userId: 'u1', event: 'E' }, { authorization: basicAuth(writeKey!) })).status).toBe(401);
    });
  });

  describe('limits', () => {
    const padding = (bytes: number) => 'x'.repeat(bytes);

    it('answers 413 for a 33 KB event', async () => {
      const response = await post(f, '/v1/track', { userId: 'u1', event: 'Big', messageId: 'msg-big', properties: { blob: padding(33 * 1024) } });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { code: 'too_large' } });
      expect(await storedEventsWithPrefix(f, 'msg-big')).toHaveLength(0);
    });

    it('answers 413 for a 501 KB batch request', async () => {
      const batch = Array.from({ length: 20 }, (_, i) => ({ type: 'track', userId: 'u1', event: 'E', messageId: `msg-501-${i}`, properties: { blob: padding(25 * 1024) } }));
      const body = JSON.stringify({ batch });
      expect(Buffer.byteLength(body)).toBeGreaterThan(501 * 1024);
      expect((await post(f, '/v1/batch', body)).status).toBe(413);
      expect(await storedEventsWithPrefix(f, 'msg-501-')).toHaveLength(0);
    });

    it('answers 413 for one event over 32 KB inside a batch, naming it', async () => {
      const batch = [
        { type: 'track', userId: 'u1', event: 'E', messageId: 'msg-inbatch-0' },
        { type: 'track', userId: 'u1', event: 'E', messageId: 'msg-inbatch-1', properties: { blob: padding(33 * 1024) } },
      ];
      const response = await post(f, '/v1/batch', { batch });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining('batch.1') } });
      expect(await storedEventsWithPrefix(f, 'msg-inbatch-')).toHaveLength(0);
    });

    it('answers 413 from Content-Length alone, before reading the body', async () => {
      const response = await f.app.request('/v1/batch', {
        method: 'POST',
        headers: { authorization: basicAuth(f.writeKey), 'content-length': String(600 * 1024) },
        body: '{}',
      });
      expect(response.status).toBe(413);
    });

    it('answers 413 for a small gzip body that expands past 500 KB', async () => {
      const bomb = gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'u1', event: 'E', properties: { blob: padding(5 * 1024 * 1024) } }] }));
      expect(bomb.byteLength).toBeLessThan(20 * 1024);
      const response = await post(f, '/v1/batch', new Uint8Array(bomb), { 'content-encoding': 'gzip' });
      expect(response.status).toBe(413);
    });
  });

  describe('invalid input', () => {
    it('answers 400 naming the field of a single event', async () => {
      const response = await post(f, '/v1/track', { userId: 'u1' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_event', issues: [{ path: 'event', message: expect.any(String) }] } });
    });

    it('rejects a whole batch with one invalid event, naming batch.<index>.<field>', async () => {
      const batch = Array.from({ length: 5 }, (_, i) => ({ type: 'track', userId: 'u1', event: 'E', messageId: `msg-half-${i}` }));
      batch[3] = { ...batch[3]!, userId: { nested: true } as unknown as string };
      const response = await post(f, '/v1/batch', { batch });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { issues: Array<{ path: string }> } };
      expect(body.error.issues.map((issue) => issue.path)).toContain('batch.3.userId');
      expect(await storedEventsWithPrefix(f, 'msg-half-')).toHaveLength(0);
    });

    it('answers 400 for malformed JSON, invalid UTF-8, bad gzip and a body that is not an object', async () => {
      const cases: Array<[string, string | Uint8Array, Record<string, string>]> = [
        ['/v1/track', '{"userId": "u1", ', {}],
        ['/v1/track', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), {}],
        ['/v1/batch', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]), { 'content-encoding': 'gzip' }],
        ['/v1/track', '[{"userId":"u1","event":"E"}]', {}],
        ['/v1/batch', '{"batch": {"type": "track"}}', {}],
        ['/v1/batch', '{"batch": []}', {}],
        ['/v1/track', '', {}],
      ];
      for (const [path, body, headers] of cases) {
        const response = await post(f, path, body, headers);
        expect(response.status, String(body)).toBe(400);
        expect(await response.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }
    });

    it('answers 415 for a compression it does not know', async () => {
      const response = await post(f, '/v1/track', { userId: 'u1', event: 'E' }, { 'content-encoding': 'br' });
      expect(response.status).toBe(415);
    });

    it('answers 404 for an endpoint that does not exist', async () => {
      expect((await post(f, '/v1/purchase', { userId: 'u1' })).status).toBe(404);
    });
  });

  it('answers a CORS preflight from any origin, allowing Authorization and Content-Type', async () => {
    const response = await f.app.request('/v1/batch', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase().replace(/\s/g, '')).toBe('authorization,content-type');
  });

  it('sends CORS headers with errors too, so a browser can read them', async () => {
    const response = await post(f, '/v1/track', { userId: 'u1' }, { origin: 'https://shop.example' });
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('counts requests by endpoint and status', async () => {
    await post(f, '/v1/screen', { userId: 'u1', name: 'Counted' });
    await post(f, '/v1/screen', {});
    const metrics = await f.t.runtime.metrics.registry.getSingleMetricAsString('weft_ingest_requests_total');
    expect(metrics).toMatch(/endpoint="screen",status="200"\} [1-9]/);
    expect(metrics).toMatch(/endpoint="screen",status="400"\} [1-9]/);
  });

  it('answers 503 once the writer is closed for shutdown', async () => {
    const closing = new IngestWriter(f.t.runtime);
    await closing.close();
    const response = await createApp({ runtime: f.t.runtime, ingest: closing }).request('/v1/track', {
      method: 'POST',
      headers: { authorization: basicAuth(f.writeKey) },
      body: JSON.stringify({ userId: 'u1', event: 'Too Late', messageId: 'msg-too-late' }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'shutting_down' } });
    expect(await storedEventsWithPrefix(f, 'msg-too-late')).toHaveLength(0);
  });

  it('groups concurrent requests into fewer commits than requests', async () => {
    const commitsBefore = f.ingest.commits;
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post(f, '/v1/track', { userId: 'u1', event: 'Concurrent', messageId: `msg-concurrent-${i}` })),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(await storedEventsWithPrefix(f, 'msg-concurrent-')).toHaveLength(40);
    expect(f.ingest.commits - commitsBefore).toBeLessThan(40);
  });
});
