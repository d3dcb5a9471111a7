import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { IdentityResolverComponent, MatchRecord, MatchScore, PluginContext, ProbabilisticMatcher } from '@weft/plugin-sdk';
import { identities, identityBlockingKeys, identityLedger, identityMatchRuns, identityReviews, profiles } from '../db/schema/index.js';
import { ConnectorCache, type LiveConnector } from '../engine/connector-cache.js';
import { WeftError, conflict, invalid, notFound } from '../errors.js';
import type { Runtime } from '../runtime.js';

/** Where a probabilistic resolver's trained model lives in its connector's key-value store. */
export const matchModelKey = 'match-model';
/** A blocking key shared by more profiles than this is skipped: its block would cost quadratic work, and other keys still reach its true matches. */
export const maxBlockSize = 500;
const pageSize = 1_000;
const progressEvery = 200;

/** A batch run of a resolver over every profile, as the API shows it. */
export interface MatchRunView {
  id: number;
  resolver: string;
  /** `interrupted`: the process running it stopped (a restart, a crash) before it finished. */
  status: 'running' | 'done' | 'failed' | 'interrupted';
  total: number;
  processed: number;
  compared: number;
  linked: number;
  queued: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/** What matching did: pairs scored, pairs merged, pairs put in (or refreshed in) the review queue. */
export interface MatchCounts {
  compared: number;
  linked: number;
  queued: number;
}

type RunRow = typeof identityMatchRuns.$inferSelect;

/** One resolver's matching in progress: its connector, the model, and the pairs already decided. */
interface Session extends MatchCounts {
  connector: LiveConnector;
  match: ProbabilisticMatcher<Record<string, unknown>>;
  compareCtx: PluginContext<Record<string, unknown>> & { model: unknown };
  /** `a|b` pairs a person rejected: never queued again, never linked. */
  rejected: Set<string>;
  /** Profiles merged away by this session, to the profile they went into. */
  mergedInto: Map<string, string>;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
const iso = (value: Date | null) => (value === null ? null : value.toISOString());

/**
 * Runs probabilistic identity resolvers (DESIGN §7) over profiles: batch runs over all of them,
 * incremental matching of profiles whose traits changed, and the review queue for the pairs
 * scored between the resolver's thresholds.
 *
 * @example
 * const matcher = profileMatcher(runtime);
 * const run = await matcher.startRun('people-match', { train: true });
 * await matcher.finished(run.id);
 */
export class ProfileMatcher {
  readonly #running = new Map<number, Promise<void>>();
  readonly #activeResolvers = new Set<string>();

  constructor(
    private readonly runtime: Runtime,
    private readonly cache = new ConnectorCache(runtime),
  ) {}

  /**
   * Creates a run and matches every live profile in the background: load, optionally train and
   * store the model, block, compare each candidate pair once, link or queue it.
   * A connector that cannot run (disabled, invalid config, no `match`) fails the run, which says why.
   */
  async startRun(connectorId: string, options: { train?: boolean } = {}): Promise<MatchRunView> {
    const row = await this.runtime.connectors.row(connectorId);
    if (row.kind !== 'identity-resolver') throw invalid(`Connector '${connectorId}' is a ${row.kind}; matching runs need an identity-resolver connector`);
    if (this.#activeResolvers.has(connectorId)) throw conflict(`Resolver '${connectorId}' is already running a batch; wait for it to finish`);
    const [elsewhere] = await this.runtime.db
      .select({ id: identityMatchRuns.id })
      .from(identityMatchRuns)
      .where(and(eq(identityMatchRuns.resolver, connectorId), eq(identityMatchRuns.status, 'running'), gt(identityMatchRuns.heartbeatAt, new Date(Date.now() - runHeartbeatStaleMs))));
    if (elsewhere) throw conflict(`Resolver '${connectorId}' is already running a batch in another process (run ${elsewhere.id}); wait for it to finish`);
    const [run] = await this.runtime.db.insert(identityMatchRuns).values({ resolver: connectorId }).returning();
    this.#activeResolvers.add(connectorId);
    const heartbeat = setInterval(() => {
      this.runtime.db
        .update(identityMatchRuns)
        .set({ heartbeatAt: new Date() })
        .where(and(eq(identityMatchRuns.id, run!.id), eq(identityMatchRuns.status, 'running')))
        .catch((error: unknown) => this.runtime.logger.warn({ err: error, run: run!.id }, 'could not record the match run heartbeat'));
    }, runHeartbeatMs);
    heartbeat.unref();
    const done = this.#runBatch(run!.id, connectorId, options.train ?? true)
      .catch((error: unknown) => this.#finishRun(run!.id, 'failed', describeError(error)))
      .catch((error: unknown) => this.runtime.logger.error({ err: error, run: run!.id }, 'could not mark the match run failed'))
      .finally(() => {
        clearInterval(heartbeat);
        this.#activeResolvers.delete(connectorId);
        this.#running.delete(run!.id);
      });
    this.#running.set(run!.id, done);
    return runView(run!);
  }

  /** Resolves once a run this process started has finished (done or failed); at once for any other. */
  async finished(runId: number): Promise<void> {
    await this.#running.get(runId);
  }

  async getRun(runId: number): Promise<MatchRunView> {
    const [row] = await this.runtime.db.select().from(identityMatchRuns).where(eq(identityMatchRuns.id, runId));
    if (!row) throw notFound('Match run', String(runId));
    return runView(row);
  }

  /**
   * The incremental path, for profiles whose traits just changed: refreshes their blocking keys,
   * compares them with the profiles sharing a key, and links or queues as a batch run would.
   * A disabled connector matches nothing.
   */
  async matchProfiles(connectorId: string, profileIds: string[]): Promise<MatchCounts> {
    const connector = await this.cache.get(connectorId);
    if (!connector.row.enabled) return { compared: 0, linked: 0, queued: 0 };
    const live = [...new Set((await Promise.all(profileIds.map((id) => this.runtime.identity.profiles.liveId(id)))).filter((id): id is string => !!id))];
    if (live.length === 0) return { compared: 0, linked: 0, queued: 0 };
    const session = await this.#session(connector, live);
    const records = await this.#recordsByIds(live);
    await this.#replaceKeys(session, [...new Set([...profileIds, ...live])], records);
    const compared = new Set<string>();
    for (const record of records) {
      const candidates = await this.#candidates(connectorId, record.id, this.#keysOf(session, record));
      for (const other of await this.#recordsByIds(candidates)) {
        if (compared.has(pairKey(record.id, other.id))) continue;
        compared.add(pairKey(record.id, other.id));
        await this.#judge(session, record, other);
      }
    }
    await this.#refreshMergedKeys(session);
    return counts(session);
  }

  // ------------------------------------------------------------ batch runs

  async #runBatch(runId: number, connectorId: string, train: boolean): Promise<void> {
    // A run always sees the connector as it is now, not as a cache last saw it.
    this.cache.forget(connectorId);
    const session = await this.#session(await this.cache.get(connectorId));
    const [counted] = await this.runtime.db.select({ total: sql<number>`count(*)::int` }).from(profiles).where(isNull(profiles.mergedInto));
    await this.#progress(runId, { total: counted?.total ?? 0 });
    const records = await this.#allLiveRecords();
    await this.#progress(runId, { total: records.length });
    if (train && session.match.train) {
      const model = JSON.parse(JSON.stringify(await session.match.train(records, session.connector.ctx))) as unknown;
      await session.connector.ctx.store.set(matchModelKey, model);
      session.compareCtx = { ...session.connector.ctx, model };
    }
    const keysOf = await this.#replaceKeys(session, undefined, records);
    const blocks = new Map<string, number[]>();
    records.forEach((record, index) => {
      for (const key of keysOf.get(record.id)!) {
        const block = blocks.get(key);
        if (block) block.push(index);
        else blocks.set(key, [index]);
      }
    });
    for (const [index, record] of records.entries()) {
      const candidates = new Set<number>();
      for (const key of keysOf.get(record.id)!) {
        const block = blocks.get(key)!;
        if (block.length <= maxBlockSize) for (const other of block) if (other > index) candidates.add(other);
      }
      for (const other of [...candidates].sort((a, b) => a - b)) await this.#judge(session, record, records[other]!);
      if ((index + 1) % progressEvery === 0) {
        if (this.runtime.shutdown.signal.aborted) throw new Error('the server shut down during the run; start it again');
        await this.#progress(runId, { processed: index + 1, ...counts(session) });
      }
    }
    await this.#refreshMergedKeys(session);
    await this.#progress(runId, { processed: records.length, ...counts(session) });
    await this.#finishRun(runId, 'done', null);
  }

  async #progress(runId: number, values: Partial<Pick<RunRow, 'total' | 'processed' | 'compared' | 'linked' | 'queued'>>): Promise<void> {
    await this.runtime.db.update(identityMatchRuns).set(values).where(eq(identityMatchRuns.id, runId));
  }

  async #finishRun(runId: number, status: 'done' | 'failed', error: string | null): Promise<void> {
    if (error) this.runtime.logger.warn({ run: runId }, `match run failed: ${error}`);
    await this.runtime.db.update(identityMatchRuns).set({ status, error, finishedAt: new Date() }).where(eq(identityMatchRuns.id, runId));
  }

  // ------------------------------------------------------------ matching one pair

  async #session(connector: LiveConnector, profileIds?: string[]): Promise<Session> {
    const { id } = connector.ctx.connector;
    if (!connector.row.enabled) throw invalid(`Connector '${id}' is disabled; enable it to run matching`);
    const { match } = connector.component as IdentityResolverComponent;
    if (connector.component.kind !== 'identity-resolver' || !match) {
      throw invalid(`Connector '${id}' (plugin '${connector.row.pluginId}', component '${connector.row.component}') has no probabilistic matcher: it resolves identifiers only`);
    }
    const model = await connector.ctx.store.get(matchModelKey);
    const decided = await this.runtime.db
      .select({ a: identityReviews.profileA, b: identityReviews.profileB })
      .from(identityReviews)
      .where(
        and(
          eq(identityReviews.resolver, id),
          eq(identityReviews.status, 'rejected'),
          profileIds ? sql`(${inArray(identityReviews.profileA, profileIds)} or ${inArray(identityReviews.profileB, profileIds)})` : undefined,
        ),
      );
    return {
      connector,
      match: match as ProbabilisticMatcher<Record<string, unknown>>,
      compareCtx: { ...connector.ctx, model },
      rejected: new Set(decided.map((pair) => pairKey(pair.a, pair.b))),
      mergedInto: new Map(),
      compared: 0,
      linked: 0,
      queued: 0,
    };
  }

  /** The live profile an id has become in this session. */
  #liveIn(session: Session, id: string): string {
    let current = id;
    for (let next = session.mergedInto.get(current); next !== undefined; next = session.mergedInto.get(current)) current = next;
    return current;
  }

  /** Compares a pair once and applies the decision: link (a limit makes it a review), review, or nothing. */
  async #judge(session: Session, a: MatchRecord, b: MatchRecord): Promise<void> {
    const [liveA, liveB] = [this.#liveIn(session, a.id), this.#liveIn(session, b.id)];
    if (liveA === liveB || session.rejected.has(pairKey(a.id, b.id)) || session.rejected.has(pairKey(liveA, liveB))) return;
    const score = session.match.compare(a, b, session.compareCtx);
    session.compared++;
    if (score.decision === 'review') return this.#queue(session, liveA, liveB, score);
    if (score.decision !== 'link') return;
    const resolver = session.connector.ctx.connector.id;
    try {
      const survivor = await this.runtime.identity.merge([liveA, liveB], { rule: `probabilistic:${resolver}`, confidence: score.probability, evidence: { weight: score.weight, fields: score.fields } });
      session.mergedInto.set(survivor === liveA ? liveB : liveA, survivor);
      session.linked++;
    } catch (error) {
      if (!(error instanceof WeftError && (error.code === 'limit' || error.code === 'conflict' || error.code === 'separated'))) throw error;
      // An unmerge split the pair: a person decided they are two.
      if (error.code === 'separated') return;
      // A limit forbids the merge: a person decides. A conflict means something else changed the pair meanwhile.
      if (error.code === 'limit') return this.#queue(session, liveA, liveB, score);
      this.runtime.logger.warn({ connector: resolver, profiles: [liveA, liveB] }, `probabilistic link skipped: ${error.message}`);
    }
  }

  /** Puts a pair in the review queue, or refreshes its score while it is pending; decided pairs stay as they are. */
  async #queue(session: Session, x: string, y: string, score: MatchScore): Promise<void> {
    const [profileA, profileB] = x < y ? [x, y] : [y, x];
    const resolver = session.connector.ctx.connector.id;
    const [row] = await this.runtime.db
      .insert(identityReviews)
      .values({ resolver, profileA, profileB, probability: score.probability, weight: score.weight, fields: score.fields })
      .onConflictDoUpdate({
        target: [identityReviews.resolver, identityReviews.profileA, identityReviews.profileB],
        set: { probability: sql`excluded.probability`, weight: sql`excluded.weight`, fields: sql`excluded.fields` },
        setWhere: eq(identityReviews.status, 'pending'),
      })
      .returning({ id: identityReviews.id, inserted: sql<boolean>`xmax = 0` });
    if (!row) return;
    session.queued++;
    if (!row.inserted) return;
    await this.runtime.db.insert(identityLedger).values({
      kind: 'review',
      profileId: profileA,
      otherProfileId: profileB,
      rule: `probabilistic:${resolver}`,
      confidence: score.probability,
      summary: `review ${row.id}: ${profileA} and ${profileB} may be the same person (probability ${score.probability.toFixed(4)}); queued by ${resolver}`,
      details: { review: row.id, weight: score.weight },
    });
  }

  // ------------------------------------------------------------ records and blocking keys

  async #allLiveRecords(): Promise<MatchRecord[]> {
    const records: MatchRecord[] = [];
    for (let after = ''; ; ) {
      const page = await this.runtime.db
        .select({ id: profiles.id, traits: profiles.traits })
        .from(profiles)
        .where(and(isNull(profiles.mergedInto), gt(profiles.id, after)))
        .orderBy(asc(profiles.id))
        .limit(pageSize);
      records.push(...(await this.#withIdentifiers(page)));
      if (page.length < pageSize) return records;
      after = page.at(-1)!.id;
    }
  }

  /** The live profiles among `ids` as match records. */
  async #recordsByIds(ids: string[]): Promise<MatchRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.runtime.db
      .select({ id: profiles.id, traits: profiles.traits })
      .from(profiles)
      .where(and(inArray(profiles.id, ids), isNull(profiles.mergedInto)))
      .orderBy(asc(profiles.id));
    return this.#withIdentifiers(rows);
  }

  async #withIdentifiers(rows: Array<{ id: string; traits: Record<string, unknown> }>): Promise<MatchRecord[]> {
    if (rows.length === 0) return [];
    const found = await this.runtime.db
      .select({ profileId: identities.profileId, type: identities.type, value: identities.value })
      .from(identities)
      .where(inArray(identities.profileId, rows.map((row) => row.id)))
      .orderBy(asc(identities.id));
    const byProfile = new Map<string, Record<string, string[]>>();
    for (const { profileId, type, value } of found) {
      const identifiers = byProfile.get(profileId) ?? {};
      (identifiers[type] ??= []).push(value);
      byProfile.set(profileId, identifiers);
    }
    return rows.map((row) => ({ id: row.id, traits: row.traits, identifiers: byProfile.get(row.id) ?? {} }));
  }

  #keysOf(session: Session, record: MatchRecord): string[] {
    try {
      return [...new Set(session.match.blockingKeys(record, session.connector.ctx))];
    } catch (error) {
      throw new Error(`blocking keys of profile '${record.id}' failed: ${describeError(error)}`, { cause: error });
    }
  }

  /**
   * Replaces the stored blocking keys of `profileIds` (all of the resolver's when undefined) with
   * those of `records`, in one transaction so incremental matching never sees them half-written.
   */
  async #replaceKeys(session: Session, profileIds: string[] | undefined, records: MatchRecord[]): Promise<Map<string, string[]>> {
    const resolver = session.connector.ctx.connector.id;
    const keysOf = new Map(records.map((record) => [record.id, this.#keysOf(session, record)]));
    const rows = [...keysOf].flatMap(([profileId, keys]) => keys.map((key) => ({ resolver, key, profileId })));
    await this.runtime.db.transaction(async (tx) => {
      const mine = eq(identityBlockingKeys.resolver, resolver);
      await tx.delete(identityBlockingKeys).where(profileIds ? and(mine, inArray(identityBlockingKeys.profileId, profileIds)) : mine);
      for (let start = 0; start < rows.length; start += pageSize) {
        await tx.insert(identityBlockingKeys).values(rows.slice(start, start + pageSize)).onConflictDoNothing();
      }
    });
    return keysOf;
  }

  /** Profiles sharing a key (one held by at most `maxBlockSize` profiles) with `profileId`. Stale rows of merged-away profiles are dropped. */
  async #candidates(resolver: string, profileId: string, keys: string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const rows = await this.runtime.database.query<{ profile_id: string; live: boolean }>(sql`
      select distinct k.profile_id, p.merged_into is null as live
      from identity_blocking_keys k left join profiles p on p.id = k.profile_id
      where k.resolver = ${resolver} and k.profile_id <> ${profileId} and k.key in (
        select key from identity_blocking_keys
        where resolver = ${resolver} and key in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))
        group by key having count(*) <= ${maxBlockSize})`);
    const stale = rows.filter((row) => !row.live).map((row) => row.profile_id);
    if (stale.length > 0) await this.runtime.db.delete(identityBlockingKeys).where(and(eq(identityBlockingKeys.resolver, resolver), inArray(identityBlockingKeys.profileId, stale)));
    return rows.filter((row) => row.live).map((row) => row.profile_id);
  }

  /** After links, the merged-away profiles lose their keys and the survivors get keys of their merged traits. */
  async #refreshMergedKeys(session: Session): Promise<void> {
    if (session.mergedInto.size === 0) return;
    const survivors = [...new Set([...session.mergedInto.keys()].map((id) => this.#liveIn(session, id)))];
    await this.#replaceKeys(session, [...session.mergedInto.keys(), ...survivors], await this.#recordsByIds(survivors));
  }

}

const matchers = new WeakMap<Runtime, ProfileMatcher>();

/** The one matcher of a runtime, so the API and the pipeline share its running batches. */
export function profileMatcher(runtime: Runtime): ProfileMatcher {
  let matcher = matchers.get(runtime);
  if (!matcher) matchers.set(runtime, (matcher = new ProfileMatcher(runtime)));
  return matcher;
}

const counts = (session: Session): MatchCounts => ({ compared: session.compared, linked: session.linked, queued: session.queued });

/** An error as one line a person can act on, with a WeftError's field issues. */
function describeError(error: unknown): string {
  if (error instanceof WeftError && error.issues.length > 0) return `${error.message}: ${error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`;
  return error instanceof Error ? error.message : String(error);
}

/** How often a running batch run says it is alive, and when silence means its process is gone. */
const runHeartbeatMs = 15_000;
const runHeartbeatStaleMs = 4 * runHeartbeatMs;

function runView(row: RunRow): MatchRunView {
  const interrupted = row.status === 'running' && Date.now() - row.heartbeatAt.getTime() > runHeartbeatStaleMs;
  return {
    id: row.id,
    resolver: row.resolver,
    status: interrupted ? 'interrupted' : (row.status as MatchRunView['status']),
    total: row.total,
    processed: row.processed,
    compared: row.compared,
    linked: row.linked,
    queued: row.queued,
    error: interrupted ? `the process running it stopped before it finished (last heard from at ${row.heartbeatAt.toISOString()}); start the run again` : row.error,
    startedAt: row.startedAt.toISOString(),
    finishedAt: iso(row.finishedAt),
  };
}
