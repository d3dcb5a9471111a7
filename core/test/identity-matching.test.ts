import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { EventInput } from '@weft/plugin-sdk';
import { readFebrl } from '../../plugins/identity-probabilistic/fixtures/febrl.js';
import { createApp } from '../src/app.js';
import { ensureAdminToken } from '../src/auth/admin-tokens.js';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { matchRunSchema, reviewSchema } from '../src/http/admin/identity-matching.js';
import { profileSchema } from '../src/http/admin/profiles.js';
import { matchModelKey, profileMatcher, type MatchRunView, type ProfileMatcher } from '../src/identity/matching.js';
import { acceptReview, listReviews, rejectReview } from '../src/identity/reviews.js';
import { normalizeEvents } from '../src/ingest/normalize.js';
import { IngestWriter } from '../src/ingest/writer.js';
import { createTestRuntime, type TestRuntime } from '../test-support/index.js';

// FEBRL people: rec-N-org and rec-N-dup-0 are one person written twice. Under the resolver's
// untrained defaults rec-425 is the one pair of dataset1 that scores between the thresholds.
const people = new Map(readFebrl('dataset1.csv').map((record) => [record.id, record.traits]));
const duplicates = (...numbers: number[]) => numbers.flatMap((n) => [`rec-${n}-org`, `rec-${n}-dup-0`]);
const borderline = duplicates(425);

describe('probabilistic identity matching', () => {
  let t: TestRuntime;
  let ingest: IngestWriter;
  let worker: PipelineWorker;
  let matcher: ProfileMatcher;
  let app: ReturnType<typeof createApp>;
  let messages = 0;

  beforeAll(async () => {
    t = await createTestRuntime({ adminToken: 'test-admin-token-0123456789' });
    await ensureAdminToken(t.runtime.db, t.runtime.config.adminToken, t.dataDir);
    await t.runtime.connectors.create({ id: 'web', plugin: 'web-sdk', component: 'source' });
    await t.runtime.connectors.create({ id: 'people', plugin: 'identity-probabilistic', component: 'resolver', config: {} });
    ingest = new IngestWriter(t.runtime);
    worker = new PipelineWorker(t.runtime);
    matcher = profileMatcher(t.runtime);
    app = createApp({ runtime: t.runtime, ingest });
  });
  afterAll(async () => {
    await ingest?.close();
    await t?.cleanup();
  });
  beforeEach(async () => {
    for (const table of ['event_queue', 'events', 'profiles', 'identities', 'identity_links', 'identity_ledger', 'profile_events', 'identity_reviews', 'identity_blocking_keys', 'identity_match_runs', 'connector_kv']) {
      await t.runtime.database.query(sql.raw(`delete from ${table}`));
    }
  });

  /** Identifies each FEBRL record as its own visitor (anonymousId = record id) with its traits, through ingest and the pipeline. */
  async function identify(ids: string[], as: (id: string) => Partial<EventInput> = (id) => ({ anonymousId: id }), options: { matchInPipeline?: boolean } = {}): Promise<void> {
    const events = ids.map((id) => ({ type: 'identify', messageId: `match-${++messages}`, ...as(id), traits: people.get(id) }));
    await ingest.write('web', normalizeEvents(events, { receivedAt: new Date() }));
    // Most tests drive the matcher themselves: keep the pipeline's own (incremental) matching out of it.
    const resolvers = await t.runtime.connectors.list();
    const enabled = resolvers.filter((connector) => connector.kind === 'identity-resolver' && connector.enabled).map((connector) => connector.id);
    if (!options.matchInPipeline) for (const id of enabled) await t.runtime.connectors.update(id, { enabled: false });
    try {
      while ((await worker.processBatch()) > 0);
    } finally {
      if (!options.matchInPipeline) for (const id of enabled) await t.runtime.connectors.update(id, { enabled: true });
    }
  }

  const profileOf = async (id: string, type = 'anonymous_id') => (await t.runtime.identity.profiles.lookup(`${type}:${id}`)).id;
  const liveProfiles = async () => (await t.runtime.database.query<{ n: number }>(sql`select count(*)::int as n from profiles where merged_into is null`))[0]!.n;
  const reviews = () => t.runtime.database.query<{ profile_a: string; profile_b: string; status: string }>(sql`select profile_a, profile_b, status from identity_reviews order by id`);

  async function runToEnd(options: { train?: boolean } = { train: false }, resolver = 'people'): Promise<MatchRunView> {
    const started = await matcher.startRun(resolver, options);
    expect(started.status).toBe('running');
    await matcher.finished(started.id);
    return matcher.getRun(started.id);
  }

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await app.request(`/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.runtime.config.adminToken}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  }

  describe('batch runs', () => {
    it('links the true duplicates and leaves different people apart', async () => {
      await identify(duplicates(122, 373, 294));
      const run = await runToEnd();
      for (const n of [122, 373, 294]) expect(await profileOf(`rec-${n}-dup-0`)).toBe(await profileOf(`rec-${n}-org`));
      expect(await liveProfiles()).toBe(3);
      expect(run).toMatchObject({ resolver: 'people', status: 'done', total: 6, processed: 6, linked: 3, queued: 0, error: null, finishedAt: expect.any(String) });
      expect(run.compared).toBeGreaterThanOrEqual(3);
    });

    it('records each link with the resolver as its rule and the field weights as its evidence', async () => {
      await identify(duplicates(122));
      await runToEnd();
      const { links } = await t.runtime.identity.profiles.explain(await profileOf('rec-122-org'));
      expect(links).toEqual([expect.objectContaining({ rule: 'probabilistic:people', confidence: expect.closeTo(1, 6), evidence: { weight: expect.any(Number), fields: expect.any(Array) } })]);
    });

    it('queues a borderline pair for review, ordered and explained field by field', async () => {
      await identify(borderline);
      const run = await runToEnd();
      expect(run).toMatchObject({ status: 'done', linked: 0, queued: 1 });
      const [a, b] = [await profileOf(borderline[0]!), await profileOf(borderline[1]!)].sort();
      const { reviews: queue } = await listReviews(t.runtime, { status: 'pending', limit: 10 });
      expect(queue).toEqual([expect.objectContaining({ resolver: 'people', profiles: [a, b], probability: expect.closeTo(0.839, 3), status: 'pending', decidedAt: null })]);
      expect(queue[0]!.fields).toContainEqual(expect.objectContaining({ field: 'postcode', level: 'exact' }));
      const { ledger } = await t.runtime.identity.profiles.explain(a!);
      expect(ledger).toContainEqual(expect.objectContaining({ kind: 'review', rule: 'probabilistic:people', summary: expect.stringContaining(`review ${queue[0]!.id}: ${a} and ${b} may be the same person`) }));
    });

    it('queues a pair for review instead of linking it when a type limit forbids the merge', async () => {
      // Both records carry a user_id, and a profile holds at most one.
      await identify(duplicates(34), (id) => ({ userId: id }));
      const run = await runToEnd();
      expect(run).toMatchObject({ status: 'done', linked: 0, queued: 1 });
      expect(await liveProfiles()).toBe(2);
      expect((await reviews()).map((review) => review.status)).toEqual(['pending']);
    });

    it('does not queue a pending pair twice when a second run scores it again', async () => {
      await identify(borderline);
      await runToEnd();
      expect(await runToEnd()).toMatchObject({ status: 'done', queued: 1 });
      expect(await reviews()).toHaveLength(1);
    });

    it('trains the model on the profiles and stores it in the connector store when asked', async () => {
      await identify(duplicates(122, 373, 294, 34, 478));
      const run = await runToEnd({ train: true });
      expect(run.status).toBe('done');
      const [stored] = await t.runtime.database.query<{ value: { version: number; training: { records: number } } }>(sql`select value from connector_kv where connector_id = 'people' and key = ${matchModelKey}`);
      expect(stored!.value).toMatchObject({ version: 1, training: { records: 10 } });
    });

    it("stores every live profile's blocking keys, and only the survivor's after a link", async () => {
      await identify(duplicates(122));
      await runToEnd();
      const rows = await t.runtime.database.query<{ profile_id: string }>(sql`select distinct profile_id from identity_blocking_keys where resolver = 'people'`);
      expect(rows.map((row) => row.profile_id)).toEqual([await profileOf('rec-122-org')]);
    });

    it('fails the run, saying why, when the connector is disabled', async () => {
      await identify(duplicates(122));
      await t.runtime.connectors.setEnabled('people', false);
      try {
        const run = await runToEnd();
        expect(run).toMatchObject({ status: 'failed', error: "Connector 'people' is disabled; enable it to run matching", finishedAt: expect.any(String) });
        expect(await liveProfiles()).toBe(2);
      } finally {
        await t.runtime.connectors.setEnabled('people', true);
      }
    });

    it('fails the run, naming the field, when the stored config is invalid', async () => {
      await t.runtime.connectors.create({ id: 'broken', plugin: 'identity-probabilistic', component: 'resolver', config: {} });
      await t.runtime.database.query(sql`update connectors set config = '{"thresholds":{"link":0.8,"review":0.9}}'::jsonb, updated_at = now() where id = 'broken'`);
      try {
        const run = await runToEnd({ train: false }, 'broken');
        expect(run.status).toBe('failed');
        expect(run.error).toBe("Connector 'broken' config is invalid: config.thresholds.review: review must not be above link");
      } finally {
        // The pipeline's identity stage loads every enabled resolver, and this one cannot load.
        await t.runtime.connectors.remove('broken');
      }
    });
  });

  describe('runs whose process stopped', () => {
    it('reports a run whose process stopped as interrupted, and lets a new run start', async () => {
      // What a process killed mid-run leaves behind: still `running`, its heartbeat long silent.
      const [left] = await t.runtime.database.query<{ id: number }>(sql`
        insert into identity_match_runs (resolver, status, total, processed, started_at, heartbeat_at)
        values ('people', 'running', 100, 40, now() - interval '10 minutes', now() - interval '9 minutes') returning id`);
      expect(await matcher.getRun(Number(left!.id))).toMatchObject({
        status: 'interrupted',
        processed: 40,
        error: expect.stringMatching(/^the process running it stopped before it finished \(last heard from at .+\); start the run again$/),
      });
      await identify(duplicates(122));
      expect(await runToEnd()).toMatchObject({ status: 'done', linked: 1 });
    });

    it('refuses a second run of a resolver that another process is running', async () => {
      const [other] = await t.runtime.database.query<{ id: number }>(sql`insert into identity_match_runs (resolver) values ('people') returning id`);
      await expect(matcher.startRun('people')).rejects.toThrow(`Resolver 'people' is already running a batch in another process (run ${other!.id}); wait for it to finish`);
      expect((await matcher.getRun(Number(other!.id))).status).toBe('running');
    });
  });

  describe('incremental matching', () => {
    it('links a newly ingested duplicate to the profile a run has keyed', async () => {
      await identify(['rec-478-org', 'rec-122-org']);
      await runToEnd();
      await identify(['rec-478-dup-0']);
      const counts = await matcher.matchProfiles('people', [await profileOf('rec-478-dup-0')]);
      expect(counts).toEqual({ compared: 1, linked: 1, queued: 0 });
      expect(await profileOf('rec-478-dup-0')).toBe(await profileOf('rec-478-org'));
    });

    it('links a duplicate as it arrives through the pipeline, once a run has keyed the profiles', async () => {
      await identify(['rec-478-org', 'rec-122-org']);
      await runToEnd();
      await identify(['rec-478-dup-0'], undefined, { matchInPipeline: true });
      expect(await profileOf('rec-478-dup-0')).toBe(await profileOf('rec-478-org'));
      expect(await profileOf('rec-122-org')).not.toBe(await profileOf('rec-478-org'));
    });

    it('queues a new borderline pair, and leaves a rejected one alone', async () => {
      await identify([borderline[0]!]);
      await runToEnd();
      await identify([borderline[1]!]);
      const added = await profileOf(borderline[1]!);
      expect(await matcher.matchProfiles('people', [added])).toEqual({ compared: 1, linked: 0, queued: 1 });
      const { reviews: queue } = await listReviews(t.runtime, { status: 'pending', limit: 10 });
      await rejectReview(t.runtime, queue[0]!.id, 'tester');
      expect(await matcher.matchProfiles('people', [added])).toEqual({ compared: 0, linked: 0, queued: 0 });
    });
  });

  describe('review queue', () => {
    async function queuedReview() {
      await identify(borderline);
      await runToEnd();
      return (await listReviews(t.runtime, { status: 'pending', limit: 1 })).reviews[0]!;
    }

    it('merges the pair when a reviewer accepts it, with the review as the rule', async () => {
      const review = await queuedReview();
      const { review: accepted, profileId } = await acceptReview(t.runtime, review.id, 'tester');
      expect(accepted).toMatchObject({ status: 'accepted', decidedAt: expect.any(String) });
      expect(await profileOf(borderline[0]!)).toBe(profileId);
      expect(await profileOf(borderline[1]!)).toBe(profileId);
      const { links } = await t.runtime.identity.profiles.explain(profileId);
      expect(links.map((link) => link.rule)).toEqual(['review:people']);
      const [row] = await t.runtime.database.query<{ decided_by: string }>(sql`select decided_by from identity_reviews where id = ${review.id}`);
      expect(row!.decided_by).toBe('tester');
    });

    it('only marks the review accepted when the profiles were merged meanwhile', async () => {
      const review = await queuedReview();
      const survivor = await t.runtime.identity.merge(review.profiles, { rule: 'manual', confidence: 1, evidence: null });
      expect(await acceptReview(t.runtime, review.id, 'tester')).toMatchObject({ review: { status: 'accepted' }, profileId: survivor });
    });

    it('keeps a rejected pair apart, and a later run neither queues nor links it again', async () => {
      const review = await queuedReview();
      expect(await rejectReview(t.runtime, review.id, 'tester')).toMatchObject({ status: 'rejected' });
      expect(await runToEnd()).toMatchObject({ status: 'done', linked: 0, queued: 0 });
      expect(await liveProfiles()).toBe(2);
      expect((await reviews()).map((row) => row.status)).toEqual(['rejected']);
    });

    /** A profile older than the borderline pair's (merges keep the oldest), identified as `visitor`. */
    const olderProfile = async (visitor: string) => {
      await identify(['rec-1-org'], () => ({ anonymousId: visitor }));
      return profileOf(visitor);
    };
    const pairOf = (x: string, y: string) => (x < y ? [x, y] : [y, x]);

    it('keeps a rejected pair apart after one side merges into an older profile: a later run neither queues nor links it', async () => {
      const older = await olderProfile('older-visitor');
      const review = await queuedReview();
      await rejectReview(t.runtime, review.id, 'tester');
      const [side, other] = [await profileOf(borderline[0]!), await profileOf(borderline[1]!)];
      expect(await t.runtime.identity.merge([older, side], { rule: 'manual', confidence: 1, evidence: null })).toBe(older);

      expect(await reviews()).toEqual([{ profile_a: pairOf(older, other)[0], profile_b: pairOf(older, other)[1], status: 'rejected' }]);
      expect(await runToEnd()).toMatchObject({ status: 'done', linked: 0, queued: 0 });
      expect(await profileOf(borderline[1]!)).toBe(other);
    });

    it('moves a pending review into the survivor of a merge, so the pair is asked about once and accepting it merges the live profiles', async () => {
      const older = await olderProfile('older-visitor');
      const review = await queuedReview();
      const other = await profileOf(borderline[1]!);
      await t.runtime.identity.merge([older, await profileOf(borderline[0]!)], { rule: 'manual', confidence: 1, evidence: null });

      await runToEnd();
      expect(await reviews()).toEqual([{ profile_a: pairOf(older, other)[0], profile_b: pairOf(older, other)[1], status: 'pending' }]);
      const { profileId } = await acceptReview(t.runtime, review.id, 'tester');
      expect(profileId).toBe(older);
      expect(await profileOf(borderline[1]!)).toBe(older);
    });

    it('keeps one review of a pair two reviews come to name, a rejected one first, and closes a pending review whose profiles became one as accepted', async () => {
      await identify(['rec-1-org', 'rec-2-org', 'rec-3-org'], (id) => ({ anonymousId: id }));
      const [first, second, third] = [await profileOf('rec-1-org'), await profileOf('rec-2-org'), await profileOf('rec-3-org')];
      const queue = (x: string, y: string, status: string) =>
        t.runtime.database.query(sql`
          insert into identity_reviews (resolver, profile_a, profile_b, probability, weight, fields, status)
          values ('people', ${pairOf(x, y)[0]}, ${pairOf(x, y)[1]}, 0.5, 1, '[]', ${status})`);
      await queue(first, third, 'pending');
      await queue(second, third, 'rejected');
      await queue(first, second, 'pending');

      const survivor = await t.runtime.identity.merge([first, second], { rule: 'manual', confidence: 1, evidence: null });

      expect(await reviews()).toEqual(
        expect.arrayContaining([
          { profile_a: pairOf(survivor, third)[0], profile_b: pairOf(survivor, third)[1], status: 'rejected' },
          { profile_a: pairOf(first, second)[0], profile_b: pairOf(first, second)[1], status: 'accepted' },
        ]),
      );
      expect(await reviews()).toHaveLength(2);

      // The merge answered the pending pair; a reviewer who accepts it later still records the decision.
      const [closed] = await t.runtime.database.query<{ id: number; decided_by: string }>(sql`
        select id, decided_by from identity_reviews where status = 'accepted'`);
      expect(closed!.decided_by).toBe('(merge)');
      expect(await acceptReview(t.runtime, Number(closed!.id), 'tester')).toMatchObject({ review: { status: 'accepted' }, profileId: survivor });
      const [after] = await t.runtime.database.query<{ decided_by: string }>(sql`select decided_by from identity_reviews where id = ${closed!.id}`);
      expect(after!.decided_by).toBe('tester');
    });

    it('refuses to accept a rejected review', async () => {
      const review = await queuedReview();
      await rejectReview(t.runtime, review.id, 'tester');
      await expect(acceptReview(t.runtime, review.id, 'tester')).rejects.toMatchObject({ status: 409, message: `Review ${review.id} was rejected; it cannot be accepted any more` });
    });
  });

  describe('admin API', () => {
    it('starts a run with 202 and reports it done with its counts', async () => {
      await identify(duplicates(122, 373));
      const started = await call('POST', '/identity/resolvers/people/runs', { train: false });
      expect(started.status).toBe(202);
      const run = matchRunSchema.parse(started.body.run);
      expect(run).toMatchObject({ resolver: 'people', status: 'running' });
      await matcher.finished(run.id);
      const answer = await call('GET', `/identity/runs/${run.id}`);
      expect(answer.status).toBe(200);
      expect(matchRunSchema.parse(answer.body.run)).toMatchObject({ id: run.id, status: 'done', total: 4, processed: 4, linked: 2, queued: 0 });
    });

    it('answers 404 for an unknown run, review or connector, and 400 for a connector that is not a resolver', async () => {
      expect((await call('GET', '/identity/runs/999999')).status).toBe(404);
      expect((await call('GET', '/identity/runs/latest')).status).toBe(404);
      expect((await call('POST', '/identity/reviews/999999/accept')).status).toBe(404);
      expect((await call('POST', '/identity/resolvers/nobody/runs', {})).status).toBe(404);
      const source = await call('POST', '/identity/resolvers/web/runs', {});
      expect(source).toMatchObject({ status: 400, body: { error: { code: 'invalid', message: "Connector 'web' is a source; matching runs need an identity-resolver connector" } } });
    });

    it('lists reviews by status a page at a time', async () => {
      await identify(borderline);
      await identify(duplicates(34), (id) => ({ userId: id }));
      await runToEnd();
      const first = await call('GET', '/identity/reviews?status=pending&limit=1');
      expect(first.status).toBe(200);
      expect(first.body.reviews.map((review: unknown) => reviewSchema.parse(review).status)).toEqual(['pending']);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await call('GET', `/identity/reviews?status=pending&limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.reviews).toHaveLength(1);
      expect(second.body.reviews[0].id).toBeGreaterThan(first.body.reviews[0].id);
      const third = await call('GET', `/identity/reviews?status=pending&limit=1&cursor=${second.body.nextCursor}`);
      expect(third.body).toEqual({ reviews: [], nextCursor: null });
      expect((await call('GET', '/identity/reviews?status=rejected')).body).toEqual({ reviews: [], nextCursor: null });
    });

    it('accepts a review, answering the merged profile', async () => {
      await identify(borderline);
      await runToEnd();
      const [review] = (await call('GET', '/identity/reviews?status=pending')).body.reviews;
      const answer = await call('POST', `/identity/reviews/${review.id}/accept`);
      expect(answer.status).toBe(200);
      expect(reviewSchema.parse(answer.body.review).status).toBe('accepted');
      const profile = profileSchema.parse(answer.body.profile);
      expect(profile.identities.map((identity) => identity.value).sort()).toEqual([...borderline].sort());
    });

    it('rejects a review, and refuses to accept it afterwards', async () => {
      await identify(borderline);
      await runToEnd();
      const [review] = (await call('GET', '/identity/reviews?status=pending')).body.reviews;
      const answer = await call('POST', `/identity/reviews/${review.id}/reject`);
      expect(answer.status).toBe(200);
      expect(reviewSchema.parse(answer.body.review)).toMatchObject({ status: 'rejected', decidedAt: expect.any(String) });
      expect((await call('POST', `/identity/reviews/${review.id}/accept`)).body).toMatchObject({ error: { code: 'conflict' } });
      expect((await call('GET', '/identity/reviews?status=rejected')).body.reviews.map((row: { id: number }) => row.id)).toEqual([review.id]);
    });
  });
});
