import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestFixture, storedEvents, type IngestFixture } from './ingest-support.js';

describe('source webhooks (/hooks/:connectorId/*)', () => {
  let f: IngestFixture;
  beforeAll(async () => {
    f = await createIngestFixture();
    await f.t.runtime.connectors.create({ id: 'shop-hooks', plugin: 'test-sources', component: 'hook', config: { token: 'secret-token' } });
    await f.t.runtime.connectors.create({ id: 'quiet-hooks', plugin: 'test-sources', component: 'hook', enabled: false });
    await f.t.runtime.connectors.create({ id: 'crm-out', plugin: 'test-sources', component: 'out' });
  });
  afterAll(async () => f.cleanup());

  const hook = (path: string, body?: unknown, init: RequestInit = {}) =>
    f.app.request(path, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...init });

  it('commits the events handle() returns under the connector and answers 200 {"success":true}', async () => {
    const response = await hook('/hooks/shop-hooks', { items: [{ userId: 'h1', messageId: 'hook-1' }, { userId: 'h2', messageId: 'hook-2' }] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true });
    const rows = await storedEvents(f, 'shop-hooks');
    expect(rows.map((row) => row.message_id)).toEqual(['hook-1', 'hook-2']);
    expect(rows[0]!.payload).toMatchObject({ type: 'track', event: 'Hook Item', userId: 'h1', receivedAt: expect.any(String) });
  });

  it('passes sub-paths and any method to handle(), and sends the response it returns', async () => {
    const response = await f.app.request('/hooks/shop-hooks/challenge?c=abc123', { method: 'GET' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('echo:abc123');

    const accepted = await hook('/hooks/shop-hooks/accepted', { items: [{ userId: 'h3', messageId: 'hook-3' }] }, { method: 'PUT' });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ received: 1 });
    expect((await storedEvents(f, 'shop-hooks')).map((row) => row.message_id)).toContain('hook-3');
  });

  it('answers 401 with the plugin’s message when handle() throws an AuthError', async () => {
    const refused = await hook('/hooks/shop-hooks/auth', { items: [] }, { headers: { 'x-token': 'wrong' } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'unauthorized', message: 'x-token does not match the configured token' } });
    const allowed = await hook('/hooks/shop-hooks/auth', { items: [] }, { headers: { 'x-token': 'secret-token' } });
    expect(allowed.status).toBe(200);
  });

  it('answers 400 for a ValidationError, and for a body the plugin cannot parse', async () => {
    const invalid = await hook('/hooks/shop-hooks/invalid', {});
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { message: 'the payload has no "items" field' } });
    const malformed = await f.app.request('/hooks/shop-hooks', { method: 'POST', body: '{"items": [' });
    expect(malformed.status).toBe(400);
  });

  it('answers 400 naming events.<index>.<field> when handle() returns an invalid event, storing none', async () => {
    const response = await hook('/hooks/shop-hooks', { items: [{ userId: 'ok', messageId: 'hook-bad-0' }, { messageId: 'hook-bad-1' }] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { issues: [{ path: 'events.1.userId' }] } });
    expect((await storedEvents(f, 'shop-hooks')).map((row) => row.message_id)).not.toContain('hook-bad-0');
  });

  it('answers 429 with Retry-After when handle() throws a RateLimitedError', async () => {
    const response = await hook('/hooks/shop-hooks/slow-down', {});
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('60');
    expect(await response.json()).toMatchObject({ error: { code: 'rate_limited', message: 'too many webhooks; wait a minute' } });
  });

  it('answers 500 without the plugin’s internals when handle() fails unexpectedly', async () => {
    const response = await hook('/hooks/shop-hooks/crash', {});
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('/srv/plugin.js');
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'plugin_error' } });
  });

  it('answers 404 for an unknown connector and for a connector that is not a webhook source', async () => {
    for (const path of ['/hooks/nobody', '/hooks/crm-out', '/hooks/web']) {
      const response = await hook(path, { items: [] });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('/hooks/') } });
    }
  });

  it('answers 403 for a disabled source', async () => {
    const response = await hook('/hooks/quiet-hooks', { items: [{ userId: 'h1' }] });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'connector_disabled' } });
    expect(await storedEvents(f, 'quiet-hooks')).toHaveLength(0);
  });

  it('answers 413 for a body over 5 MB', async () => {
    const response = await f.app.request('/hooks/shop-hooks', { method: 'POST', body: 'x'.repeat(5 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
  });
});
