// The review queue of probabilistic identity resolution: pairs scored between a resolver's
// thresholds wait here for a person to accept (merge) or reject (keep apart) them.
import { and, asc, eq, gt, or } from 'drizzle-orm';
import { identityLedger, identityReviews } from '../db/schema/index.js';
import { WeftError, conflict, notFound } from '../errors.js';
import { decidedByMerge } from './write-plan.js';
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
