import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { AppServices } from '../../app.js';
import type { AdminActor, AdminEnv } from '../../auth/middleware.js';
import { invalid, zodIssues } from '../../errors.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** One documented answer of an operation; `schema` describes its JSON body. */
export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
}

/** What an admin route accepts and answers: used both to validate requests and to write the OpenAPI document. */
export interface OperationSpec<Body extends z.ZodType = z.ZodType, Query extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Hono path below `/api/v1`, e.g. `/connectors/:id`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  body?: Body;
  /** Documents the body when `body` only accepts it (`z.unknown()`) for the handler to validate itself. */
  bodyDoc?: z.ZodType;
  query?: Query;
  /** Success answers and the errors specific to this route (401 and validation errors are added for every route). */
  responses: Record<number, ResponseDoc>;
}

/** What a handler receives: the validated body and query, path parameters, the caller and the services. */
export interface OperationInput<Body, Query> {
  c: Context<AdminEnv>;
  services: AppServices;
  body: Body;
  query: Query;
  actor: AdminActor;
  /** A path parameter by name (`:id` → `param('id')`). */
  param(name: string): string;
}

export interface Operation {
  spec: OperationSpec;
  handle(input: OperationInput<unknown, unknown>): Promise<Response>;
}

/**
 * Declares an admin route once: its spec validates the request (400 with field issues) and
 * documents it in `/openapi.json`; the handler sees typed, already validated input.
 *
 * @example
 * operation({ method: 'get', path: '/pipelines/:id', tag: 'Pipelines', summary: 'Get a pipeline',
 *   responses: { 200: { description: 'The pipeline', schema: pipelineAnswer } } },
 *   async ({ c, services, param }) => c.json({ pipeline: await services.runtime.pipelines.get(param('id')) }))
 */
export function operation<Body extends z.ZodType = z.ZodUndefined, Query extends z.ZodType = z.ZodUndefined>(
  spec: OperationSpec<Body, Query>,
  handle: (input: OperationInput<z.output<Body>, z.output<Query>>) => Promise<Response>,
): Operation {
  return { spec, handle: handle as Operation['handle'] };
}

/** Registers operations on a Hono app, validating each request against its spec. */
export function mountOperations(app: Hono<AdminEnv>, operations: Operation[], services: AppServices): void {
  for (const { spec, handle } of operations) {
    app.on(spec.method.toUpperCase(), spec.path, async (c) => {
      const body = spec.body ? parseInput(spec.body, await readJson(c), 'Request body is invalid') : undefined;
      const query = spec.query ? parseInput(spec.query, c.req.query(), 'Query parameters are invalid') : undefined;
      return handle({ c, services, body, query, actor: c.var.actor, param: (name) => c.req.param(name) ?? '' });
    });
  }
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`Request body is not valid JSON: ${(error as Error).message}`);
  }
}

function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, message: string): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalid(message, zodIssues(parsed.error.issues));
  return parsed.data;
}
