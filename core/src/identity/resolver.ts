import { eq, sql } from 'drizzle-orm';
import type { Identifier, IdentityResolverComponent, WeftEvent } from '@weft/plugin-sdk';
import type { Db } from '../db/client.js';
import { connectors } from '../db/schema/index.js';
import type { ConnectorCache } from '../engine/connector-cache.js';
import type { Pino } from '../logger.js';
import { builtInIdentifiers, eventTraits, normalizeIdentifiers, occurredAt } from './extract.js';
import { IdentityPlan, type PlannedMerge, type ResolveItem } from './plan.js';
import type { Run } from '../db/client.js';
import { loadForPlan, lockIdentifiers, textArray, tryLockIdentifiers } from './store.js';
import { writePlan } from './write-plan.js';
import type { IdentitySettings } from './settings.js';
import { IdentifierTypes } from './types.js';

/** An event ready for the identity stage: stored id, source, and the event after its transforms. */
export interface IdentityInput {
  eventId: number;
  sourceId: string;
  event: WeftEvent;
}

/** What the identity stage decided for a batch: each event's profile, and the merges it made. */
export interface ResolvedBatch {
  profiles: Map<number, string>;
  merges: PlannedMerge[];
  /** Events left unresolved because another transaction held their identifiers' locks: the caller puts them back. */
  deferred: Set<number>;
}

export interface PreparedBatch {
  items: ResolveItem[];
  newPlan: () => IdentityPlan;
}

/**
 * The identity stage (DESIGN §7): reads typed identifiers from events (the host's own plus every
 * enabled identity-resolver connector's), resolves them against the graph and records the
 * profile each event belongs to — all inside the caller's transaction.
 */
export class IdentityResolver {
  constructor(
    private readonly db: Db,
    readonly types: IdentifierTypes,
    readonly settings: IdentitySettings,
    private readonly cache: ConnectorCache | undefined,
    private readonly logger: Pino,
  ) {}

  /**
   * Normalised identifiers and traits of each event, in the order given, and the rules to
   * resolve them by: read before the transaction, which then needs no other connection.
   */
  async prepare(inputs: IdentityInput[]): Promise<PreparedBatch> {
    return { items: await this.#items(inputs), newPlan: await this.planFactory() };
  }

  async #items(inputs: IdentityInput[]): Promise<ResolveItem[]> {
    const normalize = await this.types.normalizer();
    const resolvers = await this.#resolverConnectors();
    const items: ResolveItem[] = [];
    for (const { eventId, sourceId, event } of inputs) {
      const raw: Identifier[] = builtInIdentifiers(event);
      for (const resolver of resolvers) raw.push(...(await this.#pluginIdentifiers(resolver, event)));
      const { identifiers } = normalizeIdentifiers(raw, normalize);
      items.push({ eventId, sourceId, occurredAt: occurredAt(event), identifiers, traits: eventTraits(event) });
    }
    return items;
  }

  /**
   * Resolves prepared events inside the caller's transaction. Events already resolved (a replay)
   * keep their profile and change nothing; events whose identifiers another transaction holds are
   * left for later (`deferred`) rather than waited for.
   *
   * @returns the profile of each event that has identifiers, the merges made, and the deferred events.
   */
  async resolveIn(run: Run, items: ResolveItem[], newPlan: () => IdentityPlan): Promise<ResolvedBatch> {
    const withIdentifiers = items.filter((item) => item.identifiers.length > 0);
    if (withIdentifiers.length === 0) return { profiles: new Map(), merges: [], deferred: new Set() };
    const known = await run<{ event_id: string | number; profile_id: string }>(sql`
      select e.event_id, coalesce(p.merged_into, e.profile_id) as profile_id from profile_events e left join profiles p on p.id = e.profile_id
      where e.event_id = any(${textArray(withIdentifiers.map((item) => item.eventId))}::bigint[])`);
    const profiles = new Map(known.map((row) => [Number(row.event_id), row.profile_id]));
    const fresh = withIdentifiers.filter((item) => !profiles.has(item.eventId));
    if (fresh.length === 0) return { profiles, merges: [], deferred: new Set() };
    const { ready, deferred } = await lockOrDefer(run, fresh);
    const plan = newPlan();
    await loadForPlan(run, plan, ready.flatMap((item) => item.identifiers), { locked: true });
    for (const item of ready) plan.resolve(item);
    for (const [eventId, profileId] of await writePlan(run, plan)) profiles.set(eventId, profileId);
    // Profiles created and merged within the batch were never seen outside it: nothing to announce.
    const merges = plan.merges.filter((merge) => !plan.profiles.get(merge.loser)?.isNew);
    return { profiles, merges, deferred: new Set(deferred.map((item) => item.eventId)) };
  }

  /** Makes plans with the trait rules and type limits in force now. */
  async planFactory(): Promise<() => IdentityPlan> {
    const { rules } = await this.settings.current();
    const limits = new Map((await this.types.list()).map((type) => [type.type, type.limit]));
    return () => new IdentityPlan(rules, (type) => limits.get(type) ?? null);
  }

  async #resolverConnectors(): Promise<string[]> {
    if (!this.cache) return [];
    const rows = await this.db.select({ id: connectors.id, enabled: connectors.enabled }).from(connectors).where(eq(connectors.kind, 'identity-resolver'));
    return rows.filter((row) => row.enabled).map((row) => row.id);
  }

  async #pluginIdentifiers(connectorId: string, event: WeftEvent): Promise<Identifier[]> {
    let component: IdentityResolverComponent;
    let ctx: Parameters<NonNullable<IdentityResolverComponent['identifiers']>>[1];
    try {
      const connector = await this.cache!.get(connectorId);
      component = connector.component as IdentityResolverComponent;
      ctx = connector.ctx;
    } catch (error) {
      // A resolver that cannot be loaded (its stored config no longer fits) must not stop every event.
      this.logger.warn({ connector: connectorId, err: error }, 'identity resolver cannot be loaded; its identifiers are skipped');
      return [];
    }
    if (!component.identifiers) return [];
    try {
      const found = await component.identifiers(event, ctx);
      return Array.isArray(found) ? found.filter((item) => item && typeof item.type === 'string' && item.value !== undefined) : [];
    } catch (error) {
      // A resolver that fails must not stop the event: the host's own identifiers still apply.
      this.logger.warn({ connector: connectorId, err: error }, 'identity resolver failed on an event; its identifiers are skipped');
      return [];
    }
  }
}

/**
 * Takes the identifier locks of a batch. Deferring: the locks that are free are taken at once, and
 * the events that need one another transaction holds are left for later — two batches in flight
 * then work side by side instead of one waiting for the other's commit. Only when that would leave
 * nothing to do does it give the free locks back (a savepoint) and wait for all, in the global order.
 */
async function lockOrDefer(run: Run, items: ResolveItem[]): Promise<{ ready: ResolveItem[]; deferred: ResolveItem[] }> {
  const identifiers = items.flatMap((item) => item.identifiers);
  await run(sql`savepoint identity_locks`);
  const contended = await tryLockIdentifiers(run, identifiers);
  const deferred = contended.size === 0 ? [] : items.filter((item) => item.identifiers.some((identifier) => contended.has(identifier.key)));
  if (deferred.length < items.length) {
    await run(sql`release savepoint identity_locks`);
    const later = new Set(deferred);
    return { ready: items.filter((item) => !later.has(item)), deferred };
  }
  await run(sql`rollback to savepoint identity_locks`);
  await run(sql`release savepoint identity_locks`);
  await lockIdentifiers(run, identifiers);
  return { ready: items, deferred: [] };
}
