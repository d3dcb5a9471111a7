import { randomUUID } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiTokens } from '../db/schema/index.js';
import { generateToken, hashToken } from './tokens.js';

export type Role = 'admin' | 'operator' | 'analyst';

/**
 * Makes sure an admin credential exists. With `WEFT_ADMIN_TOKEN` set, its hash is registered
 * (idempotently). Otherwise, on a database with no token yet, one is generated, stored hashed,
 * and returned so the caller prints it once; a copy goes to `<dataDir>/admin-token` (mode 0600)
 * so the CLI on this machine can use it.
 */
export async function ensureAdminToken(db: Db, configured: string | undefined, dataDir: string): Promise<{ generated?: string }> {
  if (configured) {
    await db
      .insert(apiTokens)
      .values({ id: 'env', name: 'WEFT_ADMIN_TOKEN', tokenHash: hashToken(configured), role: 'admin' })
      .onConflictDoUpdate({ target: apiTokens.id, set: { tokenHash: hashToken(configured), revokedAt: null } });
    return {};
  }
  const generated = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7263515)`);
    const [existing] = await tx.select({ id: apiTokens.id }).from(apiTokens).where(isNull(apiTokens.revokedAt)).limit(1);
    if (existing) return undefined;
    const token = generateToken('wt');
    await tx.insert(apiTokens).values({ id: randomUUID(), name: 'generated on first start', tokenHash: hashToken(token), role: 'admin' });
    return token;
  });
  if (!generated) return {};
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'admin-token'), `${generated}\n`, { mode: 0o600 });
  return { generated };
}

/** The role of a bearer token, or undefined when it is unknown or revoked. */
export async function authenticateAdminToken(db: Db, token: string): Promise<{ id: string; role: Role } | undefined> {
  const [row] = await db
    .select({ id: apiTokens.id, role: apiTokens.role })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)));
  return row ? { id: row.id, role: row.role as Role } : undefined;
}
