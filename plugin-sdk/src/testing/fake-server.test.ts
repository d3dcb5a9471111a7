import { afterEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from './fake-server.js';

let server: FakeServer | undefined;
const start = async (...args: Parameters<typeof startFakeServer>) => (server = await startFakeServer(...args));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startFakeServer', () => {
  it('listens on 127.0.0.1 and answers 200 with an empty body by default', async () => {
    const vendor = await start();
    expect(vendor.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${vendor.url}/anything`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('records method, path, query, headers, raw body and parsed JSON of every request', async () => {
    const vendor = await start({ status: 202 });
    await fetch(`${vendor.url}/v1/batch?dryRun=1&region=eu`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t0k3n' },
      body: '{"batch":[{"id":1}]}',
    });
    await fetch(`${vendor.url}/form`, { method: 'PUT', body: 'a=1&b=2' });
    expect(vendor.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/batch',
        query: { dryRun: '1', region: 'eu' },
        headers: expect.objectContaining({ 'content-type': 'application/json', authorization: 'Bearer t0k3n' }),
        body: '{"batch":[{"id":1}]}',
        json: { batch: [{ id: 1 }] },
      },
      expect.objectContaining({ method: 'PUT', path: '/form', body: 'a=1&b=2', json: undefined }),
    ]);
  });

  it('sends JSON with its content type, and custom headers', async () => {
    const vendor = await start({ status: 201, headers: { 'x-request-id': 'r-1' }, json: { id: 'c-9' } });
    const response = await fetch(vendor.url);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toBe('r-1');
    expect(await response.json()).toEqual({ id: 'c-9' });
  });

  it('plays a sequence, repeating its last answer: 500 twice, then 200', async () => {
    const vendor = await start([{ status: 500 }, { status: 500 }, { status: 200, json: { ok: true } }]);
    const statuses = [];
    for (let call = 0; call < 4; call += 1) statuses.push((await fetch(vendor.url)).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
  });

  it('answers 429 with the Retry-After it is given', async () => {
    const vendor = await start({ status: 429, headers: { 'retry-after': '7' } });
    const response = await fetch(vendor.url);
    expect([response.status, response.headers.get('retry-after')]).toEqual([429, '7']);
  });

  it('answers from a function of the request', async () => {
    const vendor = await start((request) => ({ status: request.headers['authorization'] === 'Bearer good' ? 200 : 401 }));
    expect((await fetch(vendor.url, { headers: { authorization: 'Bearer good' } })).status).toBe(200);
    expect((await fetch(vendor.url, { headers: { authorization: 'Bearer bad' } })).status).toBe(401);
  });

  it('routes by method and path, by path alone, and by path prefix, and names an unmatched route', async () => {
    const vendor = await start({
      'POST /v1/contacts': { status: 201 },
      '/v1/me': { json: { name: 'Acme' } },
      '/files/*': { body: 'file' },
    });
    expect((await fetch(`${vendor.url}/v1/contacts`, { method: 'POST', body: '{}' })).status).toBe(201);
    expect(await (await fetch(`${vendor.url}/v1/me`, { method: 'DELETE' })).json()).toEqual({ name: 'Acme' });
    expect(await (await fetch(`${vendor.url}/files/a/b.txt`)).text()).toBe('file');
    const unmatched = await fetch(`${vendor.url}/v1/contacts`);
    expect(unmatched.status).toBe(404);
    expect(await unmatched.json()).toEqual({ error: 'the fake server has no route for GET /v1/contacts' });
  });

  it('keeps a sequence per route', async () => {
    const vendor = await start({ '/a': [{ status: 500 }, { status: 200 }], '/b': [{ status: 503 }, { status: 204 }] });
    const statuses = [];
    for (const path of ['/a', '/b', '/a', '/b']) statuses.push((await fetch(`${vendor.url}${path}`)).status);
    expect(statuses).toEqual([500, 503, 200, 204]);
  });

  it('changes its script on respond(), starting sequences afresh', async () => {
    const vendor = await start({ status: 503 });
    expect((await fetch(vendor.url)).status).toBe(503);
    vendor.respond([{ status: 401 }, { status: 200 }]);
    expect((await fetch(vendor.url)).status).toBe(401);
    expect((await fetch(vendor.url)).status).toBe(200);
  });

  it('hangs when told to, until the client gives up', async () => {
    const vendor = await start({ hang: true });
    await expect(fetch(vendor.url, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(vendor.requests).toHaveLength(1);
  });

  it('cuts off hanging requests when it closes', async () => {
    const vendor = await start({ hang: true });
    const pending = fetch(vendor.url);
    await vendor.waitForRequests(1);
    await vendor.close();
    server = undefined;
    await expect(pending).rejects.toThrow();
  });

  it('answers 500 naming the problem when its script function throws', async () => {
    const vendor = await start(() => {
      throw new Error('no such fixture');
    });
    const response = await fetch(vendor.url);
    expect([response.status, await response.text()]).toEqual([500, 'fake server script failed: no such fixture']);
  });

  it('waits for requests, and says how many came when they do not', async () => {
    const vendor = await start();
    const waiting = vendor.waitForRequests(2);
    await fetch(vendor.url);
    await fetch(vendor.url);
    expect(await waiting).toHaveLength(2);
    await expect(vendor.waitForRequests(3, 50)).rejects.toThrow('the fake server got 2 of the 3 requests expected within 50 ms');
  });

  it('refuses a script that is neither a response nor routes', async () => {
    await expect(startFakeServer({ stauts: 500 } as never)).rejects.toThrow(
      "startFakeServer: stauts is neither a response field (status, headers, json, body, hang) nor a route like 'POST /path'",
    );
    await expect(startFakeServer([])).rejects.toThrow('startFakeServer: a response sequence needs at least one response');
  });
});
