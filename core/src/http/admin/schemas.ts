import { z } from 'zod';

/**
 * The shapes the admin API answers with. They document `/openapi.json`, and the admin tests parse
 * real answers with them, so the document cannot drift from what the server sends; the CLI types
 * what it reads with their outputs (answers.ts).
 */

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ examples: ['invalid', 'not_found', 'unauthorized', 'conflict', 'check_failed'] }),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

const isoTime = z.string().meta({ format: 'date-time' });

export const connectorViewSchema = z
  .object({
    id: z.string(),
    plugin: z.string(),
    component: z.string(),
    kind: z.enum(['source', 'transform', 'identity-resolver', 'destination']),
    description: z.string().nullable(),
    config: z.record(z.string(), z.unknown()).meta({ description: 'Secret fields that are set appear as "[redacted]"' }),
    settings: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
    status: z.enum(['active', 'paused', 'disabled']),
    statusReason: z.string().nullable().meta({ description: 'Why a connector is paused (auth or config failure)' }),
    statusChangedAt: isoTime.nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Connector' });

export const pipelineViewSchema = z
  .object({
    id: z.string(),
    description: z.string().nullable(),
    enabled: z.boolean(),
    spec: z.object({
      sources: z.array(z.string()),
      transforms: z.array(z.object({ connector: z.string(), onError: z.enum(['fail', 'skip-step', 'drop']) })),
      destinations: z.array(z.object({ connector: z.string(), actions: z.array(z.string()).optional() })),
    }),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Pipeline' });

const componentManifestSchema = z.object({
  name: z.string(),
  kind: z.enum(['source', 'transform', 'identity-resolver', 'destination']),
  title: z.string().optional(),
  description: z.string(),
  configSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of the config; secret fields carry writeOnly: true' }),
  secretFields: z.array(z.string()),
  actions: z
    .array(
      z.object({
        name: z.string(),
        title: z.string().optional(),
        description: z.string(),
        types: z.array(z.string()).optional(),
        batch: z.object({ maxItems: z.number() }).optional(),
      }),
    )
    .optional(),
  streams: z.array(z.string()).optional(),
  assets: z.array(z.string()).optional(),
});

export const pluginInfoSchema = z
  .object({
    id: z.string(),
    version: z.string(),
    sdk: z.string(),
    description: z.string(),
    components: z.array(componentManifestSchema),
    origin: z.enum(['workspace', 'installed']),
    specifier: z.string(),
  })
  .meta({ id: 'Plugin' });

export const eventViewSchema = z
  .object({
    id: z.number().int(),
    sourceId: z.string(),
    messageId: z.string(),
    type: z.string(),
    receivedAt: isoTime,
    state: z.enum(['pending', 'done', 'failed']).meta({ description: '`pending` until the pipeline has routed it (`done`) or given up on it (`failed`)' }),
    error: z.string().nullable().meta({ description: 'Why it failed, or why its last routing attempt did not finish' }),
    attempts: z.number().int().nullable().meta({ description: 'Times the pipeline has claimed it; null once it is done' }),
    failedAt: isoTime.nullable().meta({ description: 'When the pipeline gave up on it' }),
    payload: z.record(z.string(), z.unknown()).meta({ description: 'The event as stored after ingest' }),
  })
  .meta({ id: 'Event' });

export const deliveryAttemptSchema = z.object({
  at: isoTime,
  outcome: z.enum(['ok', 'retry', 'fail', 'paused', 'replayed']),
  error: z.string().optional(),
  status: z.number().int().optional(),
  nextAttemptAt: isoTime.optional(),
});

export const deliveryViewSchema = z
  .object({
    id: z.number().int(),
    connectorId: z.string(),
    action: z.string(),
    eventId: z.number().int().nullable(),
    messageId: z.string(),
    status: z.enum(['pending', 'delivered', 'dead']),
    attempts: z.number().int(),
    nextAttemptAt: isoTime,
    lastError: z.string().nullable(),
    history: z.array(deliveryAttemptSchema),
    payload: z.unknown().meta({ description: 'What the action sends (after mapping)' }),
    createdAt: isoTime,
    updatedAt: isoTime,
    deliveredAt: isoTime.nullable(),
  })
  .meta({ id: 'Delivery' });

/** `nextCursor`: pass it back as `cursor` for the next page; null on the last page. */
export const nextCursorSchema = z.string().nullable();

/** `limit` query parameter: 1-500, default 50. */
export const limitSchema = z.coerce.number().int().min(1).max(500).default(50);

/** An ISO-8601 time in a query or body. */
export const isoTimeInput = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
