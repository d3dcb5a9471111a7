import type { Database } from '../db/client.js';
import type { Pino } from '../logger.js';
import { ProfileService } from '../profiles/service.js';
import { mergeProfiles, type MergeEvidence } from './merge.js';
import { IdentityResolver } from './resolver.js';
import { unmergeProfile, type UnmergeTarget } from './unmerge.js';
import type { TraitPrecedence } from './traits.js';
import type { IdentifierTypes } from './types.js';
import type { IdentitySettings } from './settings.js';

/**
 * What people and other services do to the identity graph outside the pipeline: merge,
 * unmerge, settings; and reading profiles. The pipeline's own stage is `IdentityResolver`.
 *
 * @example
 * const survivor = await runtime.identity.merge(['prf_a', 'prf_b'], { rule: 'manual', confidence: 1, evidence: { actor } });
 */
export class IdentityService {
  readonly profiles: ProfileService;
  readonly #resolver: IdentityResolver;

  constructor(
    private readonly database: Database,
    readonly types: IdentifierTypes,
    readonly settings: IdentitySettings,
    logger: Pino,
  ) {
    this.profiles = new ProfileService(database, types);
    this.#resolver = new IdentityResolver(database.db, types, settings, undefined, logger);
  }

  /** Merges two profiles into the older one; returns the survivor's id. */
  async merge(ids: [string, string], why: MergeEvidence): Promise<string> {
    return mergeProfiles(this.database, this.types, await this.#resolver.planFactory(), ids, why);
  }

  /** Splits a profile by detaching an identifier or removing a link; returns the resulting profile ids. */
  async unmerge(profileId: string, target: UnmergeTarget, reason?: string): Promise<string[]> {
    const { rules } = await this.settings.current();
    return unmergeProfile(this.database, this.types, await this.#resolver.planFactory(), rules, profileId, target, reason);
  }

  async traitPrecedence(): Promise<TraitPrecedence> {
    return (await this.settings.current()).precedence;
  }

  async setTraitPrecedence(precedence: TraitPrecedence): Promise<void> {
    await this.settings.setTraitPrecedence(precedence);
  }
}
