import type { Database } from '../db/client.js';
import type { Pino } from '../logger.js';
import { ProfileService } from '../profiles/service.js';
import { mergeProfiles, type MergeEvidence } from './merge.js';
import { IdentityResolver } from './resolver.js';
import { unmergeProfile, type UnmergeTarget } from './unmerge.js';
import type { TraitPrecedence } from './traits.js';
import type { IdentifierTypes } from './types.js';
import type { IdentitySettings } from './settings.js';
import { insertMergeNotices } from './merge-notices.js';
import type { LiveConnector } from '../engine/connector-cache.js';

/** How merges made outside the pipeline reach destinations: who wants them, and whom to wake. */
export interface MergeNotices {
  targets(): Promise<LiveConnector[]>;
  queued(connectorId: string): void;
}

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
  #notices: MergeNotices | undefined;

  constructor(
    private readonly database: Database,
    readonly types: IdentifierTypes,
    readonly settings: IdentitySettings,
    logger: Pino,
  ) {
    this.profiles = new ProfileService(database, types);
    this.#resolver = new IdentityResolver(database.db, types, settings, undefined, logger);
  }

  /** Where merges made here are announced (destinations with onIdentityMerge); set by the runtime. */
  announceMergesWith(notices: MergeNotices): void {
    this.#notices = notices;
  }

  /** Merges two profiles into the older one (telling destinations that want to know); returns the survivor's id. */
  async merge(ids: [string, string], why: MergeEvidence): Promise<string> {
    const notices = this.#notices;
    // Loaded before the transaction: nothing may query beside it on PGlite's one connection.
    const targets = notices ? await notices.targets() : [];
    let notified: string[] = [];
    const survivor = await mergeProfiles(this.database, this.types, await this.#resolver.planFactory(), ids, why, async (run, merge) => {
      notified = await insertMergeNotices(run, targets, merge);
    });
    for (const connectorId of notified) notices?.queued(connectorId);
    return survivor;
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
