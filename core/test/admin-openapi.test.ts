import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { IngestWriter } from '../src/ingest/writer.js';
import { openApiPath, type OpenApiDocument } from '../src/http/openapi.js';
import { createTestRuntime, type TestRuntime } from '../test-support/index.js';

/** `/v1/:endpoint{track|batch}` → `/v1/track`, `/v1/batch`: a route whose parameter lists literal choices. */
function expandChoices(path: string): string[] {
  const match = /:\w+\{([\w|-]+)\}/.exec(path);
  if (!match) return [path];
  return match[1]!.split('|').flatMap((choice) => expandChoices(path.replace(match[0], choice)));
}

describe('OpenAPI document', () => {
  let t: TestRuntime;
  let app: ReturnType<typeof createApp>;
  let document: OpenApiDocument;

  beforeAll(async () => {
    t = await createTestRuntime({}, { skipWorkspacePlugins: true });
    app = createApp({ runtime: t.runtime, ingest: new IngestWriter(t.runtime) });
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });
  afterAll(async () => t?.cleanup());

  const documented = () =>
    Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ path, method })));

  it('is OpenAPI 3.1 with the admin API behind a bearer token', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const create = document.paths['/api/v1/connectors']!.post as { security: unknown; requestBody: unknown };
    expect(create.security).toEqual([{ adminToken: [] }]);
  });

  it('documents every route the app registers', () => {
    const missing: string[] = [];
    for (const route of app.routes) {
      for (const path of expandChoices(route.path)) {
        if (route.method === 'ALL' && path.endsWith('*')) {
          // Middleware (or a catch-all) under a prefix: something below it must be documented.
          const prefix = openApiPath(path.slice(0, -1));
          if (!documented().some((entry) => entry.path.startsWith(prefix))) missing.push(`${route.method} ${path}`);
          continue;
        }
        const entry = document.paths[openApiPath(path)] as Record<string, unknown> | undefined;
        const ok = route.method === 'ALL' ? entry !== undefined : entry?.[route.method.toLowerCase()] !== undefined;
        if (!ok) missing.push(`${route.method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents no route the app does not serve', () => {
    const served = app.routes.flatMap((route) => expandChoices(route.path).map((path) => ({ method: route.method, path: openApiPath(path) })));
    const phantom = documented().filter(
      (entry) => !served.some((route) => route.path === entry.path && (route.method === 'ALL' || route.method.toLowerCase() === entry.method)),
    );
    expect(phantom).toEqual([]);
  });

  it('derives request schemas from the zod schemas that validate them', () => {
    const replay = document.paths['/api/v1/deliveries/replay']!.post as { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } };
    const properties = replay.requestBody.content['application/json']!.schema.properties;
    expect(Object.keys(properties)).toEqual(expect.arrayContaining(['connector', 'since', 'until', 'error', 'ids', 'limit', 'dryRun']));
    const list = document.paths['/api/v1/events']!.get as { parameters: Array<{ name: string; in: string }> };
    expect(list.parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(['source', 'type', 'state', 'after', 'before', 'limit']);
  });

  it('resolves every $ref to a component schema', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThan(10);
    const names = new Set(Object.keys(document.components.schemas).map((name) => `#/components/schemas/${name}`));
    expect(refs.filter((ref) => !names.has(ref))).toEqual([]);
  });

  it('serves a self-contained docs page listing the operations', async () => {
    const response = await app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('/api/v1/deliveries/replay');
    expect(html).toContain('/v1/batch');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });
});
