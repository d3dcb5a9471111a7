// The review queue of probabilistic identity resolution: pairs scored between a resolver's
// thresholds wait here for a person to accept (merge) or reject (keep apart) them.
import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import type { Run } from '../db/client.js';
import { identityLedger, identityReviews } from '../db/schema/index.js';
import { WeftError, conflict, notFound } from '../errors.js';
import type { Runtime } from '../runtime.js';

export type ReviewStatus = 'pending' | 'accepted' | 'rejected';

/** A pair a resolver scored between its thresholds, as the API shows it. */
export interface ReviewView {
  id: number;
  resolver: string;
  profiles: [string, string];
  probability: number;
  weight: number;
  fields: unknown[];
  status: ReviewStatus;
  createdAt: string;
  decidedAt: string | null;
}

type ReviewRow = typeof identityReviews.$inferSelect;

/** Reviews oldest first, `limit` at a time; `cursor` is the `nextCursor` id of the previous page. */
export async function listReviews(runtime: Runtime, filter: { status?: ReviewStatus | undefined; limit: number; afterId?: number | undefined }): Promise<{ reviews: ReviewView[]; lastId: number | null }> {
  const rows = await runtime.db
    .select()
    .from(identityReviews)
    .where(and(filter.status ? eq(identityReviews.status, filter.status) : undefined, filter.afterId !== undefined ? gt(identityReviews.id, filter.afterId) : undefined))
    .orderBy(asc(identityReviews.id))
    .limit(filter.limit);
  return { reviews: rows.map(reviewView), lastId: rows.length === filter.limit ? rows.at(-1)!.id : null };
}

/**
 * Merges the pair (rule `review:<resolver>`) and marks the review accepted. Profiles that are
 * already one are just marked; a limit that forbids the merge leaves the review pending (409).
 *
 * @returns the review and the surviving profile's id.
 */
export async function acceptReview(runtime: Runtime, reviewId: number, decidedBy: string): Promise<{ review: ReviewView; profileId: string }> {
  const row = await reviewRow(runtime, reviewId);
  if (row.status === 'rejected') throw conflict(`Review ${reviewId} was rejected; it cannot be accepted any more`);
  // Accepted by a person already; one a merge closed still takes the person's decision.
  if (row.status === 'accepted' && row.decidedBy !== decidedByMerge) return { review: reviewView(row), profileId: (await runtime.identity.profiles.liveId(row.profileA)) ?? row.profileA };
  let profileId: string;
  try {
    profileId = await runtime.identity.merge([row.profileA, row.profileB], {
      rule: `review:${row.resolver}`,
      confidence: row.probability,
      evidence: { review: row.id, decidedBy, weight: row.weight, fields: row.fields },
      overridesUnmerge: true,
    });
  } catch (error) {
    if (!(error instanceof WeftError && error.code === 'conflict')) throw error;
    // Already one profile (merged by an event or by hand since the pair was queued): only the decision is left.
    const live = await runtime.identity.profiles.liveId(row.profileA);
    if (!live || live !== (await runtime.identity.profiles.liveId(row.profileB))) throw error;
    profileId = live;
  }
  return { review: await decide(runtime, row, 'accepted', decidedBy), profileId };
}

/** Marks the review rejected: no later run or incremental match queues or links the pair again. */
export async function rejectReview(runtime: Runtime, reviewId: number, decidedBy: string): Promise<ReviewView> {
  const row = await reviewRow(runtime, reviewId);
  if (row.status === 'accepted') throw conflict(`Review ${reviewId} was accepted and its profiles merged; unmerge them instead`);
  if (row.status === 'rejected') return reviewView(row);
  const review = await decide(runtime, row, 'rejected', decidedBy);
  await runtime.db.insert(identityLedger).values({
    kind: 'review',
    profileId: row.profileA,
    otherProfileId: row.profileB,
    rule: `review:${row.resolver}`,
    confidence: row.probability,
    summary: `review ${row.id}: ${row.profileA} and ${row.profileB} are different people (rejected by ${decidedBy})`,
    details: { review: row.id, decidedBy },
  });
  return review;
}

/** `decided_by` of a pending review that a merge answered (no person decided it). */
export const decidedByMerge = '(merge)';

/**
 * Open reviews follow their profiles into the survivors, so that a rejection keeps the people
 * apart whatever they merge with later, and a pair is never asked about twice. When a move makes
 * two reviews name the same pair, one is kept: a rejected one before an accepted one before a
 * pending one, then the oldest; the others are deleted first, as the pair index allows one row per
 * resolver and pair. A pending review whose two profiles the merge made one is closed as accepted
 * (`decidedByMerge`); a rejected one stays as it was, as do accepted ones (they are history).
 * Runs in the merge's transaction (`writePlan`): `moves` maps each merged-away profile to its
 * survivor, `losers` is their array literal.
 */
export async function moveReviews(run: Run, moves: string, losers: string): Promise<void> {
  const a = sql`least(coalesce(${moves}::jsonb ->> profile_a, profile_a), coalesce(${moves}::jsonb ->> profile_b, profile_b))`;
  const b = sql`greatest(coalesce(${moves}::jsonb ->> profile_a, profile_a), coalesce(${moves}::jsonb ->> profile_b, profile_b))`;
  const touched = sql`(profile_a = any(${losers}::text[]) or profile_b = any(${losers}::text[])) and status <> 'accepted'`;
  await run(sql`
    with moved as (select id, resolver, status, ${a} as a, ${b} as b from identity_reviews where ${touched}),
    contenders as (
      select id, resolver, status, a, b from moved where a <> b
      union all
      select r.id, r.resolver, r.status, r.profile_a, r.profile_b from identity_reviews r
      join (select distinct resolver, a, b from moved where a <> b) m on r.resolver = m.resolver and r.profile_a = m.a and r.profile_b = m.b
    ),
    ranked as (
      select id, row_number() over (partition by resolver, a, b order by case status when 'rejected' then 0 when 'accepted' then 1 else 2 end, id) as n
      from contenders
    )
    delete from identity_reviews where id in (select id from ranked where n > 1)`);
  await run(sql`update identity_reviews set profile_a = ${a}, profile_b = ${b} where ${touched} and ${a} <> ${b}`);
  // A pending pair the merge made one profile is answered: accepted, by the merge.
  await run(sql`
    update identity_reviews set status = 'accepted', decided_at = now(), decided_by = ${decidedByMerge}
    where ${touched} and status = 'pending' and ${a} = ${b}`);
}

async function reviewRow(runtime: Runtime, reviewId: number): Promise<ReviewRow> {
  const [row] = Number.isSafeInteger(reviewId) ? await runtime.db.select().from(identityReviews).where(eq(identityReviews.id, reviewId)) : [];
  if (!row) throw notFound('Review', String(reviewId));
  return row;
}

async function decide(runtime: Runtime, row: ReviewRow, status: 'accepted' | 'rejected', decidedBy: string): Promise<ReviewView> {
  const [updated] = await runtime.db
    .update(identityReviews)
    .set({ status, decidedAt: new Date(), decidedBy })
    // A person's decision also replaces a merge's (a pending pair merged meanwhile was closed as accepted).
    .where(and(eq(identityReviews.id, row.id), or(eq(identityReviews.status, 'pending'), and(eq(identityReviews.status, 'accepted'), eq(identityReviews.decidedBy, decidedByMerge)))))
    .returning();
  if (!updated) throw conflict(`Review ${row.id} was decided by someone else meanwhile`);
  return reviewView(updated);
}

/** A review row as the API shows it. */
export function reviewView(row: ReviewRow): ReviewView {
  return {
    id: row.id,
    resolver: row.resolver,
    profiles: [row.profileA, row.profileB],
    probability: row.probability,
    weight: row.weight,
    fields: row.fields,
    status: row.status as ReviewStatus,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt === null ? null : row.decidedAt.toISOString(),
  };
}
