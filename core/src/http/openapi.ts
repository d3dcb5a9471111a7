import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { z } from 'zod';
import { eventInputSchema, eventTypes } from '@weft/plugin-sdk';
import { adminOperations } from './admin/index.js';
import type { OperationSpec } from './admin/operation.js';
import { errorSchema } from './admin/schemas.js';
import { renderDocsPage } from './openapi-page.js';

type JsonSchema = Record<string, unknown>;
type Security = 'admin' | 'writeKey' | 'none';

const adminPrefix = '/api/v1';
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const success = z.object({ success: z.literal(true) });
const batchBody = z
  .object({
    batch: z.array(eventInputSchema).min(1).max(2500),
    context: z.record(z.string(), z.unknown()).optional().meta({ description: 'Shared by every event; an event\'s own fields win' }),
    integrations: z.record(z.string(), z.unknown()).optional(),
    sentAt: z.string().optional(),
    writeKey: z.string().optional().meta({ description: 'Instead of HTTP Basic auth' }),
  })
  .loose();

/** Everything outside `/api/v1`: health, metrics, tracking, webhooks, SDK files and this document. */
const publicOperations: Array<OperationSpec & { security: Security }> = [
  { method: 'get', path: '/healthz', tag: 'Operations', summary: 'Liveness: the process is up', security: 'none', responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } } },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    summary: 'Readiness: the database answers and the process is not shutting down',
    security: 'none',
    responses: { 200: { description: 'Ready', schema: z.looseObject({ status: z.literal('ready'), driver: z.enum(['postgres', 'pglite']) }) }, 503: { description: 'Not ready' } },
  },
  { method: 'get', path: '/metrics', tag: 'Operations', summary: 'Prometheus metrics (text exposition format)', security: 'none', responses: { 200: { description: 'Metrics' } } },
  ...eventTypes.map((type) => ({
    method: 'post' as const,
    path: `/v1/${type}`,
    tag: 'Tracking',
    summary: `Send one ${type} event (Segment/RudderStack compatible)`,
    description: 'The write key goes as the HTTP Basic user name, or as `writeKey` in the body. 200 means committed. 32 KB per event.',
    security: 'writeKey' as const,
    body: eventInputSchema,
    responses: trackingResponses(),
  })),
  {
    method: 'post',
    path: '/v1/batch',
    tag: 'Tracking',
    summary: 'Send up to 2,500 events of any type in one request (500 KB)',
    security: 'writeKey',
    body: batchBody,
    responses: trackingResponses(),
  },
  ...(['/hooks/:connectorId', '/hooks/:connectorId/*'] as const).flatMap((path) =>
    (['get', 'post', 'put'] as const).map((method) => ({
      method,
      path,
      tag: 'Webhooks',
      summary: 'Webhook for a push source connector (any method)',
      description: "Handed to the source plugin's handle(), which verifies the vendor's signature; its events are committed before the answer.",
      security: 'none' as const,
      responses: {
        200: { description: 'Committed; a plugin may answer with what its vendor expects instead', schema: success },
        400: { description: 'The plugin refused the request or produced invalid events' },
        403: { description: 'The source is disabled' },
        404: { description: 'No such source connector' },
      },
    })),
  ),
  {
    method: 'get',
    path: '/sdk/:name',
    tag: 'SDK',
    summary: 'A static file a source plugin provides, e.g. the browser SDK `weft.js`',
    security: 'none',
    responses: { 200: { description: 'The file, with ETag and cache headers' }, 304: { description: 'Not modified' }, 404: { description: 'No loaded plugin provides it' } },
  },
  { method: 'get', path: '/openapi.json', tag: 'Operations', summary: 'This document', security: 'none', responses: { 200: { description: 'OpenAPI 3.1' } } },
  { method: 'get', path: '/docs', tag: 'Operations', summary: 'This document as a readable page', security: 'none', responses: { 200: { description: 'HTML' } } },
];

function trackingResponses(): OperationSpec['responses'] {
  return {
    200: { description: 'Committed (duplicates of an already stored messageId are accepted and ignored)', schema: success },
    401: { description: 'No write key, or an unknown or revoked one' },
    413: { description: 'Over 32 KB per event or 500 KB per batch' },
  };
}

/**
 * The OpenAPI 3.1 document of every route the app serves. Request and response schemas come from
 * the zod schemas that validate them; named ones (`Connector`, `Error`, …) go to `components`.
 *
 * @example
 * const document = openApiDocument();
 * document.paths['/api/v1/connectors'].post.requestBody
 */
export function openApiDocument() {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (spec: OperationSpec, security: Security, prefix = '') => {
    const path = openApiPath(prefix + spec.path);
    paths[path] ??= {};
    paths[path][spec.method] = operationObject(spec, security, path, components);
  };
  for (const spec of publicOperations) add(spec, spec.security);
  for (const { spec } of adminOperations) add(spec, 'admin', adminPrefix);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Weft',
      version,
      description: 'Self-hostable Customer Data Platform: tracking (Segment/RudderStack compatible), source webhooks, and the admin API under /api/v1.',
    },
    tags: [...new Set([...publicOperations, ...adminOperations.map((op) => op.spec)].map((spec) => spec.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'An admin API token (`WEFT_ADMIN_TOKEN`, or the one generated on first start)' },
        writeKey: { type: 'http', scheme: 'basic', description: "A source connector's write key as the user name, empty password" },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

/** `/api/v1/connectors/:id` → `/api/v1/connectors/{id}`; a trailing `*` becomes `{path}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}').replace(/\/\*$/, '/{path}');
}

function operationObject(spec: OperationSpec, security: Security, path: string, components: Record<string, JsonSchema>) {
  const parameters = [
    ...[...path.matchAll(/\{(\w+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } })),
    ...queryParameters(spec.query, components),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const schema = response.schema ?? (Number(status) >= 400 ? errorSchema : undefined);
    responses[status] = { description: response.description, ...(schema ? { content: { 'application/json': { schema: toSchema(schema, 'output', components) } } } : {}) };
  }
  const errors: Record<string, string> = {
    ...(spec.body || spec.query ? { 400: 'The request is invalid; `issues` name the fields' } : {}),
    ...(security === 'admin' ? { 401: 'No or an unknown bearer token', 403: 'The token may not do this (analyst tokens only read)' } : {}),
  };
  for (const [status, description] of Object.entries(errors)) {
    responses[status] ??= { description, content: { 'application/json': { schema: toSchema(errorSchema, 'output', components) } } };
  }
  const body = spec.bodyDoc ?? spec.body;
  return {
    operationId: `${spec.method}${path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase())}`,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(security === 'admin' ? { security: [{ adminToken: [] }] } : security === 'writeKey' ? { security: [{ writeKey: [] }] } : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(body, 'input', components) } } } } : {}),
    responses,
  };
}

function queryParameters(query: z.ZodType | undefined, components: Record<string, JsonSchema>) {
  if (!query) return [];
  const schema = toSchema(query, 'input', components);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

/** A zod schema as JSON Schema, with named sub-schemas moved to `components.schemas`. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const { $schema: _dialect, $defs, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const rewrite = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as T;
  for (const [name, definition] of Object.entries($defs ?? {})) components[name] ??= rewrite(definition);
  const id = z.globalRegistry.get(schema)?.id;
  if (typeof id === 'string') {
    components[id] ??= rewrite(json);
    return { $ref: `#/components/schemas/${id}` };
  }
  return rewrite(json);
}

/**
 * `GET /openapi.json` and `GET /docs`, a self-contained page listing every operation (no CDN:
 * Weft often runs where there is no internet).
 */
export function openApiRoutes(): Hono {
  const app = new Hono();
  let document: OpenApiDocument | undefined;
  let page: string | undefined;
  app.get('/openapi.json', (c) => c.json((document ??= openApiDocument())));
  app.get('/docs', (c) => c.html((page ??= renderDocsPage((document ??= openApiDocument())))));
  return app;
}
