import { and, eq, sql } from 'drizzle-orm';
import type { IdentityResolverComponent } from '@weft/plugin-sdk';
import type { Runtime } from '../runtime.js';
import { connectors } from '../db/schema/index.js';
import { profileMatcher } from '../identity/matching.js';
import { mergeNoticeRows, mergeNoticeTargets, type CommittedMerge } from '../identity/merge-notices.js';
import { ConnectorCache, type LiveConnector } from './connector-cache.js';
import { EventRouter, describeError, type OutboxRow, type TransformOutcome } from './router.js';
import { claimPendingEvents, commitRouting, commitRoutingIn, lockHeldClaims, releaseEventClaims, renewEventLeases, type ClaimedEvent, type EventOutcome } from './claims.js';
import { IdentityResolver, type IdentityInput, type PreparedBatch } from '../identity/resolver.js';
import type { ResolveItem } from '../identity/plan.js';
import { Idler } from './idler.js';
import { LeaseKeeper } from './lease-keeper.js';

/**
 * Claims of one event before it is marked failed: routing that keeps failing to finish (a
 * connector that cannot be loaded, a worker that dies on the event) must not hold it forever.
 */
export const maxEventAttempts = 5;

/**
 * Claims committed events in batches, routes them through their pipelines and writes the outbox.
 * Any number of workers (in any number of processes) can run against one database.
 *
 * @example
 * const worker = new PipelineWorker(runtime);
 * worker.start();
 * await worker.stop(); // finishes the batch in hand
 */
export class PipelineWorker {
  readonly #router: EventRouter;
  readonly #identity: IdentityResolver;
  readonly #cache: ConnectorCache;
  readonly #idlers: Idler[] = [];
  #running = false;
  #lockTableWarnedAt = 0;
  #loops: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    readonly runtime: Runtime,
    cache: ConnectorCache = new ConnectorCache(runtime),
  ) {
    this.#router = new EventRouter(runtime, cache);
    this.#cache = cache;
    this.#identity = new IdentityResolver(runtime.db, runtime.identityTypes, runtime.identity.settings, cache, runtime.logger);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const loops = Array.from({ length: this.#concurrency() }, () => new Idler());
    this.#idlers.splice(0, this.#idlers.length, ...loops);
    this.#unsubscribe = this.runtime.signals.onEvents(() => this.#idlers.forEach((idler) => idler.wake()));
    this.#loops = Promise.all(loops.map((idler) => this.#run(idler))).then(() => undefined);
  }

  /** Embedded PGlite has one connection, which runs one transaction at a time: one batch then. */
  #concurrency(): number {
    return this.runtime.database.driver === 'pglite' ? 1 : this.runtime.config.engine.pipelineConcurrency;
  }

  /** Stops claiming and waits for the batches in hand to commit. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    for (const idler of this.#idlers) idler.wake();
    await this.#loops;
  }

  /**
   * Claims and routes one batch: transforms run first; then, in one transaction, the identity
   * stage resolves every event to its profile, and the outbox rows and the events' new states
   * are written. Returns how many events it claimed.
   */
  async processBatch(): Promise<number> {
    const { pipelineBatchSize, leaseMs } = this.runtime.config.engine;
    const claimed = await claimPendingEvents(this.runtime.database, pipelineBatchSize, leaseMs);
    if (claimed.length === 0) return 0;
    const leases = new LeaseKeeper(leaseMs, (claims) => renewEventLeases(this.runtime.database, claims, leaseMs), (error) =>
      this.runtime.logger.warn({ err: error }, 'pipeline worker: renewing event leases failed'),
    );
    leases.hold(claimed);
    try {
      const routed: Routed[] = [];
      for (const event of claimed) routed.push({ event, result: await this.#transform(event) });
      const toResolve = routed.flatMap(({ event, result }) => identityInputs(event, result));
      const prepared = await this.#identity.prepare(toResolve);
      const mergeTargets = await mergeNoticeTargets(this.runtime, this.#cache);
      const { queuedFor, changedProfiles } = await this.#commitInParts(claimed, routed, prepared, mergeTargets);
      for (const connectorId of queuedFor) this.runtime.signals.deliveriesQueued(connectorId);
      await this.#matchChanged(changedProfiles);
      return claimed.length;
    } catch (error) {
      leases.stop();
      await this.#putBack(claimed, error);
      throw error;
    } finally {
      leases.stop();
    }
  }

  /**
   * A batch that could not commit (the database went away, a bug): its events keep the reason as
   * their last error and are claimable again after the usual backoff, not one lease later. Best
   * effort: when the database is what failed, this fails too, and the leases run out instead.
   */
  async #putBack(claimed: ClaimedEvent[], error: unknown): Promise<void> {
    const claims = claimed.map((event) => ({ id: event.id, attempts: event.attempts, retryInMs: postponeDelayMs(event.attempts) }));
    await releaseEventClaims(this.runtime.database, claims, `routing did not finish: ${describeError(error)}`).catch(() => undefined);
  }

  /**
   * The incremental path of probabilistic resolvers: profiles whose traits changed are compared
   * with their candidates. Best effort, after the commit: a failure here loses no event, and a
   * batch run (`weft identity match`) covers everything again.
   */
  async #matchChanged(profileIds: string[]): Promise<void> {
    if (profileIds.length === 0) return;
    const resolvers = await this.runtime.db
      .select({ id: connectors.id })
      .from(connectors)
      .where(and(eq(connectors.kind, 'identity-resolver'), eq(connectors.enabled, true)));
    for (const { id } of resolvers) {
      try {
        const connector = await this.#cache.get(id);
        if ((connector.component as IdentityResolverComponent).match) await profileMatcher(this.runtime).matchProfiles(id, profileIds);
      } catch (error) {
        this.runtime.logger.warn({ connector: id, err: error }, 'probabilistic matching of changed profiles failed; the next batch run covers them');
      }
    }
  }

  /**
   * Commits the batch. When the server's lock table cannot hold the identifier locks of the whole
   * batch (with everything else running), the batch is committed in halves instead. When the
   * database refuses a value of one event (a time or a text it cannot store), the batch is halved
   * until that event stands alone, and only it fails: one bad event never holds back the rest.
   */
  async #commitInParts(claimed: ClaimedEvent[], routed: Routed[], prepared: PreparedBatch, mergeTargets: LiveConnector[]): Promise<Committed> {
    try {
      return await this.#commit(claimed, routed, prepared, mergeTargets);
    } catch (error) {
      const state = sqlState(error);
      if (state === '53200' && claimed.length >= 2) {
        // Once a minute at most: while the settings stay as they are, every large batch hits it.
        if (Date.now() - this.#lockTableWarnedAt > 60_000) {
          this.#lockTableWarnedAt = Date.now();
          this.runtime.logger.warn(
            { events: claimed.length },
            'pipeline worker: the database ran out of lock slots for the identifiers of a batch; committing it in halves. ' +
              'Raise max_locks_per_transaction, or lower WEFT_PIPELINE_BATCH_SIZE or WEFT_PIPELINE_CONCURRENCY (docs/identity.md, "Locks").',
          );
        }
        return this.#commitHalves(claimed, routed, prepared, mergeTargets);
      }
      if (!refusesData(state)) throw error;
      if (claimed.length >= 2) return this.#commitHalves(claimed, routed, prepared, mergeTargets);
      return this.#failRefused(claimed[0]!, error);
    }
  }

  async #commitHalves(claimed: ClaimedEvent[], routed: Routed[], prepared: PreparedBatch, mergeTargets: LiveConnector[]): Promise<Committed> {
    const half = new Set(claimed.slice(0, Math.ceil(claimed.length / 2)).map((event) => event.id));
    const part = (first: boolean) => {
      const inPart = (eventId: number) => half.has(eventId) === first;
      return this.#commitInParts(
        claimed.filter((event) => inPart(event.id)),
        routed.filter(({ event }) => inPart(event.id)),
        { ...prepared, items: prepared.items.filter((item) => inPart(item.eventId)) },
        mergeTargets,
      );
    };
    const [a, b] = [await part(true), await part(false)];
    return { queuedFor: [...new Set([...a.queuedFor, ...b.queuedFor])], changedProfiles: [...new Set([...a.changedProfiles, ...b.changedProfiles])] };
  }

  /** The one event of a batch whose values the database refuses: failed with its reason, the rest of its batch committed. */
  async #failRefused(event: ClaimedEvent, error: unknown): Promise<Committed> {
    const reason = `the database refused a value of the event: ${describeError(error)}`;
    this.runtime.metrics.pipelineEvents.inc({ outcome: 'failed' });
    this.runtime.logger.warn({ event: event.id, source: event.sourceId, reason }, 'pipeline worker: event failed');
    await commitRouting(this.runtime.database, [{ id: event.id, attempts: event.attempts, state: 'failed', error: reason }], []);
    return { queuedFor: [], changedProfiles: [] };
  }

  async #commit(claimed: ClaimedEvent[], routed: Routed[], prepared: PreparedBatch, mergeTargets: LiveConnector[]): Promise<Committed> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runtime.database.transaction(async (run) => {
          // Safe to commit without waiting for the WAL flush: a commit lost in a crash leaves its
          // events pending in the (durably ingested) log, and they are simply routed again.
          await run(sql`set local synchronous_commit = off`);
          const held = await lockHeldClaims(run, claimed);
          const items = mergeByEvent(prepared.items.filter((item) => held.has(item.eventId)));
          const { profiles, merges, deferred } = await this.#identity.resolveIn(run, items, prepared.newPlan);
          const outcomes: EventOutcome[] = [];
          const rows: OutboxRow[] = [];
          for (const { event, result } of routed) {
            if (!held.has(event.id)) continue;
            if (deferred.has(event.id)) {
              // Another batch holds its identifiers: back to pending, claimable at once, the claim not counted.
              this.runtime.metrics.pipelineEvents.inc({ outcome: 'deferred' });
              outcomes.push({ id: event.id, attempts: event.attempts, state: 'pending', error: event.lastError, retryInMs: 0, uncounted: true });
              continue;
            }
            const outcome = await this.#fanOut(event, result, profiles.get(event.id));
            outcomes.push(outcome.outcome);
            rows.push(...outcome.rows);
          }
          // Destinations that implement onIdentityMerge hear of the batch's merges through the outbox.
          rows.push(...mergeNoticeRows(mergeTargets, merges.filter((merge): merge is CommittedMerge => merge.eventId !== null), new Date()));
          const withTraits = new Set(items.filter((item) => item.traits).map((item) => item.eventId));
          const changedProfiles = [...new Set([...profiles].filter(([eventId]) => withTraits.has(eventId)).map(([, profileId]) => profileId))];
          return { queuedFor: await commitRoutingIn(run, outcomes, rows), changedProfiles };
        });
      } catch (error) {
        // Two workers that both had to follow merges may lock profiles in opposite orders: the
        // server picks one to abort, and that batch simply goes again.
        if (!isDeadlock(error) || attempt >= 5) throw error;
        this.runtime.logger.info({ attempt }, 'pipeline worker: identity stage deadlocked with another worker; retrying the batch');
      }
    }
  }

  async #transform(event: ClaimedEvent): Promise<TransformResult> {
    if (event.attempts > maxEventAttempts) {
      return { kind: 'final', state: 'failed', error: `gave up after ${maxEventAttempts} attempts to route it${event.lastError ? `; last error: ${event.lastError}` : ''}` };
    }
    try {
      return { kind: 'transformed', result: await this.#router.transform(event) };
    } catch (error) {
      return { kind: 'postponed', error: `routing did not finish: ${describeError(error)}` };
    }
  }

  async #fanOut(event: ClaimedEvent, transformed: TransformResult, profileId: string | undefined): Promise<{ outcome: EventOutcome; rows: OutboxRow[] }> {
    const claim = { id: event.id, attempts: event.attempts };
    const count = (outcome: string) => this.runtime.metrics.pipelineEvents.inc({ outcome });
    const postpone = (reason: string) => {
      // Not the event's fault (a connector that cannot be loaded, the database): try it again
      // later, and let the rest of the batch go on meanwhile.
      count('postponed');
      this.runtime.logger.warn({ event: event.id, source: event.sourceId, reason }, 'pipeline worker: event postponed');
      return { outcome: { ...claim, state: 'pending' as const, error: reason, retryInMs: postponeDelayMs(event.attempts) }, rows: [] };
    };
    if (transformed.kind === 'final') {
      count('failed');
      return { outcome: { ...claim, state: 'failed', error: transformed.error }, rows: [] };
    }
    if (transformed.kind === 'postponed') return postpone(transformed.error);
    const { result } = transformed;
    if (result.outcome === 'failed') {
      count('failed');
      return { outcome: { ...claim, state: 'failed', error: result.error }, rows: [] };
    }
    if (result.outcome === 'unrouted') {
      count('unrouted');
      return { outcome: { ...claim, state: 'done', error: null }, rows: [] };
    }
    try {
      const rows = await this.#router.fanOut(event.id, result.outputs, profileId);
      count(rows.length === 0 ? 'dropped' : 'routed');
      return { outcome: { ...claim, state: 'done', error: null }, rows };
    } catch (error) {
      return postpone(`routing did not finish: ${describeError(error)}`);
    }
  }

  /** One of the worker's batch loops: claims, routes and commits until stopped. */
  async #run(idler: Idler): Promise<void> {
    let failures = 0;
    while (this.#running) {
      try {
        const handled = await this.processBatch();
        failures = 0;
        if (handled < this.runtime.config.engine.pipelineBatchSize) await idler.idle(this.runtime.config.engine.pollIntervalMs);
      } catch (error) {
        if (!this.#running) break;
        failures++;
        this.runtime.logger.error({ err: error }, 'pipeline worker: batch failed; its events are claimed again once their lease runs out');
        await idler.idle(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)));
      }
    }
  }
}

/** 1 s, 4 s, 16 s, 64 s, 256 s: about six minutes from the first failure to the event being marked failed. */
function postponeDelayMs(attempt: number): number {
  return 1_000 * 4 ** Math.max(0, attempt - 1);
}

/** What a committed batch leaves to do: wake these destinations' loops, match these profiles. */
interface Committed {
  queuedFor: string[];
  changedProfiles: string[];
}

type TransformResult = { kind: 'transformed'; result: TransformOutcome } | { kind: 'postponed'; error: string } | { kind: 'final'; state: 'failed'; error: string };

interface Routed {
  event: ClaimedEvent;
  result: TransformResult;
}

/**
 * What the identity stage reads of an event: what its pipelines made of it (a dropped event
 * tells nothing), or the stored event when no pipeline takes its source.
 */
function identityInputs(event: ClaimedEvent, transformed: TransformResult): IdentityInput[] {
  if (transformed.kind !== 'transformed') return [];
  const { result } = transformed;
  if (result.outcome === 'failed') return [];
  if (result.outcome === 'unrouted') return [{ eventId: event.id, sourceId: event.sourceId, event: event.payload }];
  return result.outputs.flatMap(({ events }) => events.map((output) => ({ eventId: event.id, sourceId: event.sourceId, event: output })));
}

/** One item per stored event: the identifiers and traits of all its outputs together. */
function mergeByEvent(items: ResolveItem[]): ResolveItem[] {
  const byEvent = new Map<number, ResolveItem>();
  for (const item of items) {
    const seen = byEvent.get(item.eventId);
    if (!seen) {
      byEvent.set(item.eventId, item);
      continue;
    }
    const keys = new Set(seen.identifiers.map((identifier) => identifier.key));
    const identifiers = [...seen.identifiers, ...item.identifiers.filter((identifier) => !keys.has(identifier.key))].sort((a, b) => b.priority - a.priority);
    byEvent.set(item.eventId, { ...seen, identifiers, traits: seen.traits || item.traits ? { ...seen.traits, ...item.traits } : null });
  }
  return [...byEvent.values()];
}

/** The SQLSTATE of a database error, also when a driver wrapped it. */
function sqlState(error: unknown): string | undefined {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * A value the database cannot store (class 22, data exception: a time out of its range, a text it
 * cannot encode) or an index entry too large (54000): the same event fails the same way every time.
 */
function refusesData(state: string | undefined): boolean {
  return state !== undefined && (state.startsWith('22') || state === '54000');
}

function isDeadlock(error: unknown): boolean {
  return sqlState(error) === '40P01';
}
