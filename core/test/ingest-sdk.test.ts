import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestFixture, type IngestFixture } from './ingest-support.js';

describe('SDK files (/sdk/:name)', () => {
  let f: IngestFixture;
  beforeAll(async () => {
    f = await createIngestFixture();
  });
  afterAll(async () => f.cleanup());

  it('serves a source plugin’s asset with its content type, cache headers and CORS', async () => {
    const response = await f.app.request('/sdk/test.js');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('window.testSdk = true;\n');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('max-age=');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('etag')).toMatch(/^".+"$/);
  });

  it('answers 304 when the browser already has this version', async () => {
    const first = await f.app.request('/sdk/test.js');
    const again = await f.app.request('/sdk/test.js', { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('answers 404 for a file no plugin provides', async () => {
    for (const name of ['nothing.js', 'constructor', '__proto__']) {
      const response = await f.app.request(`/sdk/${name}`);
      expect(response.status, name).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});
