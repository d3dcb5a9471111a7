import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { loadConfig, roles, type WeftConfig } from '@weft/core';
import { badInput } from './errors.js';

/** Flags shared by the commands that run server code in this process (`start`, `migrate`). */
export const databaseFlags = {
  'database-url': Flags.string({ summary: 'PostgreSQL URL (postgres://…); default: embedded PGlite in the data dir.', env: 'WEFT_DATABASE_URL' }),
  'data-dir': Flags.string({ summary: 'Folder for the embedded database, generated keys and tokens.', env: 'WEFT_DATA_DIR', default: './.weft' }),
};

export const serverFlags = {
  ...databaseFlags,
  port: Flags.integer({ summary: 'HTTP port (0 picks a free one).', env: 'WEFT_PORT', default: 8080, min: 0, max: 65_535 }),
  host: Flags.string({ summary: 'Interface to listen on.', env: 'WEFT_HOST', default: '0.0.0.0' }),
  role: Flags.string({ summary: 'What this process runs: HTTP (api), background work (worker) or both.', env: 'WEFT_ROLE', options: [...roles], default: 'all' }),
};

/**
 * The server config from `WEFT_*` variables with flags on top; a bad value is a usage error (exit 2).
 *
 * @example
 * const config = configFromFlags({ 'data-dir': './.weft', port: 9090 });
 */
export function configFromFlags(flags: {
  'database-url'?: string | undefined;
  'data-dir'?: string | undefined;
  port?: number | undefined;
  host?: string | undefined;
  role?: string | undefined;
}, extra: Partial<WeftConfig> = {}): WeftConfig {
  const url = flags['database-url'];
  if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) throw badInput(`--database-url must be a postgres:// or postgresql:// URL, got '${redactUrl(url)}'`);
  const overrides: Partial<WeftConfig> = { ...extra };
  if (url !== undefined) overrides.databaseUrl = url;
  if (flags['data-dir'] !== undefined) overrides.dataDir = resolve(flags['data-dir']);
  if (flags.port !== undefined) overrides.port = flags.port;
  if (flags.host !== undefined) overrides.host = flags.host;
  if (flags.role !== undefined) overrides.role = flags.role as WeftConfig['role'];
  try {
    return loadConfig(process.env, overrides);
  } catch (error) {
    throw badInput((error as Error).message);
  }
}

/** Where the data lives, for people: `PostgreSQL db@host` or `PGlite in <dir>`; never a password. */
export function describeDatabase(config: WeftConfig): string {
  return config.databaseUrl ? `PostgreSQL ${redactUrl(config.databaseUrl)}` : `embedded PGlite in ${resolve(config.dataDir, 'pgdata')}`;
}

function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return text.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
