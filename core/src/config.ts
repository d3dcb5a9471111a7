import { resolve } from 'node:path';
import { z } from 'zod';
import { isPhoneRegion } from '@weft/plugin-sdk/pii';

export const roles = ['all', 'api', 'worker'] as const;
export type Role = (typeof roles)[number];

const envSchema = z.object({
  WEFT_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  // `false` behind a transaction-mode pooler that cannot keep named prepared statements (PgBouncer before 1.21).
  WEFT_DATABASE_PREPARE: z.enum(['true', 'false'], { message: 'must be true or false' }).default('true'),
  WEFT_DATA_DIR: z.string().min(1).default('./.weft'),
  WEFT_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  WEFT_HOST: z.string().default('0.0.0.0'),
  WEFT_ROLE: z.enum(roles).default('all'),
  WEFT_SECRET_KEY: z.string().optional(),
  WEFT_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  WEFT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  WEFT_PLUGINS_DIR: z.string().optional(),
  WEFT_PHONE_REGION: z
    .string()
    .refine(isPhoneRegion, 'must be an ISO 3166 region code with phone numbering, such as CN or US')
    .default('CN'),
  WEFT_PIPELINE_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).optional(),
  WEFT_PIPELINE_CONCURRENCY: z.coerce.number().int().min(1).max(16).optional(),
  WEFT_LEASE_MS: z.coerce.number().int().min(100).optional(),
  WEFT_POLL_INTERVAL_MS: z.coerce.number().int().min(5).optional(),
});

/** Everything a Weft process needs to know at start; from the environment, overridable by CLI flags. */
export interface WeftConfig {
  databaseUrl: string | undefined;
  /** Named prepared statements for raw queries on PostgreSQL (parsed and planned once per connection). */
  databasePrepare: boolean;
  dataDir: string;
  port: number;
  host: string;
  role: Role;
  /** 32-byte key (base64 or hex) for secrets at rest; generated into the data dir when unset. */
  secretKey: string | undefined;
  adminToken: string | undefined;
  logLevel: string;
  /** Extra folder scanned for first-party plugin packages (default: the workspace's `plugins/`). */
  pluginsDir: string | undefined;
  /** Region for phone numbers written without a country code (identity normalisation). */
  phoneRegion: string;
  /** Tuning the engine; tests shorten these. */
  engine: EngineSettings;
  /** Serve the demo routes (`/demo`, `/demo/echo`); set by `weft start --demo`. */
  demo?: boolean;
}

export interface EngineSettings {
  /** Events claimed per pipeline-worker batch. */
  pipelineBatchSize: number;
  /**
   * Batches one pipeline worker has in flight at once: while one commits, the next is claimed and
   * transformed, and the database works on both (conflicting identifiers wait on each other's locks).
   */
  pipelineConcurrency: number;
  /** How long a claim holds an event or delivery before another worker may take it. */
  leaseMs: number;
  /** Idle poll interval when no in-process signal arrives (other processes' work). */
  pollIntervalMs: number;
}

export const defaultEngineSettings: EngineSettings = { pipelineBatchSize: 500, pipelineConcurrency: 2, leaseMs: 60_000, pollIntervalMs: 250 };

/**
 * Reads `WEFT_*` variables; a bad value throws one error naming each variable and what it expects.
 *
 * @example
 * const config = loadConfig(process.env, { port: 9090 });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<WeftConfig> = {}): WeftConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.WEFT_DATABASE_URL,
    databasePrepare: e.WEFT_DATABASE_PREPARE === 'true',
    dataDir: resolve(e.WEFT_DATA_DIR),
    port: e.WEFT_PORT,
    host: e.WEFT_HOST,
    role: e.WEFT_ROLE,
    secretKey: e.WEFT_SECRET_KEY,
    adminToken: e.WEFT_ADMIN_TOKEN,
    logLevel: e.WEFT_LOG_LEVEL,
    pluginsDir: e.WEFT_PLUGINS_DIR,
    phoneRegion: e.WEFT_PHONE_REGION,
    engine: {
      pipelineBatchSize: e.WEFT_PIPELINE_BATCH_SIZE ?? defaultEngineSettings.pipelineBatchSize,
      pipelineConcurrency: e.WEFT_PIPELINE_CONCURRENCY ?? defaultEngineSettings.pipelineConcurrency,
      leaseMs: e.WEFT_LEASE_MS ?? defaultEngineSettings.leaseMs,
      pollIntervalMs: e.WEFT_POLL_INTERVAL_MS ?? defaultEngineSettings.pollIntervalMs,
    },
    ...overrides,
  };
}
