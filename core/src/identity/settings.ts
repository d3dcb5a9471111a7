import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { identitySettings } from '../db/schema/index.js';
import { TraitRules, traitPrecedenceSchema, type TraitPrecedence } from './traits.js';

/**
 * Identity settings stored in the database (`PUT /identity/settings`), shared by everything in
 * one process and cached for a moment: another process sees a change within `ttlMs`.
 */
export class IdentitySettings {
  #cache: { until: number; rules: TraitRules; precedence: TraitPrecedence } | undefined;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 2_000,
  ) {}

  async current(): Promise<{ rules: TraitRules; precedence: TraitPrecedence }> {
    if (this.#cache && this.#cache.until > Date.now()) return this.#cache;
    const [row] = await this.db.select().from(identitySettings).where(eq(identitySettings.key, 'traitPrecedence'));
    const parsed = traitPrecedenceSchema.safeParse(row?.value ?? []);
    const precedence = parsed.success ? parsed.data : [];
    this.#cache = { until: Date.now() + this.ttlMs, rules: new TraitRules(precedence), precedence };
    return this.#cache;
  }

  async setTraitPrecedence(precedence: TraitPrecedence): Promise<void> {
    await this.db
      .insert(identitySettings)
      .values({ key: 'traitPrecedence', value: precedence })
      .onConflictDoUpdate({ target: identitySettings.key, set: { value: precedence, updatedAt: new Date() } });
    this.#cache = undefined;
  }
}
