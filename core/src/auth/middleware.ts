import type { MiddlewareHandler } from 'hono';
import type { Db } from '../db/client.js';
import { errorBody } from '../http/errors.js';
import { authenticateAdminToken, type Role } from './admin-tokens.js';

/** Who is calling the admin API: the token's id (the audit log's actor) and its role. */
export interface AdminActor {
  tokenId: string;
  role: Role;
}

/** Hono environment of admin routes: the bearer middleware puts the caller in `c.var.actor`. */
export interface AdminEnv {
  Variables: { actor: AdminActor };
}

export interface BearerAuthOptions {
  /** How long a lookup (hit or miss) is reused; a revoked token stops working within this time. */
  cacheMs?: number;
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Requires `Authorization: Bearer <token>` holding an unrevoked API token; answers 401 JSON
 * otherwise. Lookups are cached briefly because every admin request makes one.
 * `analyst` tokens may only read (403 on anything else).
 *
 * @example
 * admin.use('*', bearerAuth(runtime.db));
 */
export function bearerAuth(db: Db, options: BearerAuthOptions = {}): MiddlewareHandler<AdminEnv> {
  const cacheMs = options.cacheMs ?? 5_000;
  const cache = new Map<string, { actor: AdminActor | undefined; until: number }>();
  const lookup = async (token: string): Promise<AdminActor | undefined> => {
    const now = Date.now();
    const cached = cache.get(token);
    if (cached && cached.until > now) return cached.actor;
    const row = await authenticateAdminToken(db, token);
    const actor = row ? { tokenId: row.id, role: row.role } : undefined;
    // Unbounded guessing must not grow memory without limit.
    if (cache.size > 1_000) cache.clear();
    cache.set(token, { actor, until: now + cacheMs });
    return actor;
  };

  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      return c.json(errorBody('unauthorized', 'This API needs an admin token: send "Authorization: Bearer <token>"'), 401);
    }
    const actor = await lookup(match[1]!);
    if (!actor) return c.json(errorBody('unauthorized', 'The bearer token is unknown or revoked'), 401);
    if (actor.role === 'analyst' && !readMethods.has(c.req.method)) {
      return c.json(errorBody('forbidden', `An analyst token may only read; ${c.req.method} needs an admin or operator token`), 403);
    }
    c.set('actor', actor);
    await next();
  };
}
