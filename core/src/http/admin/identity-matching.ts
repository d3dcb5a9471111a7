import { z } from 'zod';
import { notFound } from '../../errors.js';
import { profileMatcher } from '../../identity/matching.js';
import { acceptReview, listReviews, rejectReview } from '../../identity/reviews.js';
import { recordAudit } from './audit.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { operation } from './operation.js';
import { profileSchema } from './profiles.js';
import { limitSchema, nextCursorSchema } from './schemas.js';

const tag = 'Identity';
const isoTime = z.string().meta({ format: 'date-time' });

const fieldContributionSchema = z.object({
  field: z.string(),
  comparator: z.string().meta({ examples: ['jaro-winkler', 'levenshtein', 'date'] }),
  similarity: z.number().nullable().meta({ description: '0 … 1; null when either side has no value' }),
  level: z.string().meta({ examples: ['exact', 'close', 'different', 'missing'] }),
  weight: z.number().meta({ description: 'Bits of evidence: positive for a match, negative against' }),
});

export const reviewSchema = z
  .object({
    id: z.number().int(),
    resolver: z.string().meta({ description: 'The identity-resolver connector that scored the pair' }),
    profiles: z.tuple([z.string(), z.string()]),
    probability: z.number(),
    weight: z.number().meta({ description: 'Total weight in bits, prior included' }),
    fields: z.array(fieldContributionSchema),
    status: z.enum(['pending', 'accepted', 'rejected']),
    createdAt: isoTime,
    decidedAt: isoTime.nullable(),
  })
  .meta({ id: 'IdentityReview' });

export const matchRunSchema = z
  .object({
    id: z.number().int(),
    resolver: z.string(),
    status: z.enum(['running', 'done', 'failed', 'interrupted']).describe('interrupted: the process running it stopped before it finished'),
    total: z.number().int().meta({ description: 'Live profiles in the run' }),
    processed: z.number().int().meta({ description: 'Profiles whose candidates have been compared' }),
    compared: z.number().int().meta({ description: 'Pairs scored' }),
    linked: z.number().int().meta({ description: 'Pairs merged' }),
    queued: z.number().int().meta({ description: 'Pairs put in (or refreshed in) the review queue' }),
    error: z.string().nullable().meta({ description: 'Why a failed run failed' }),
    startedAt: isoTime,
    finishedAt: isoTime.nullable(),
  })
  .meta({ id: 'MatchRun' });

export const reviewsAnswer = z.object({ reviews: z.array(reviewSchema), nextCursor: nextCursorSchema });
export const reviewAnswer = z.object({ review: reviewSchema });
export const acceptedReviewAnswer = z.object({ review: reviewSchema, profile: profileSchema });
export const matchRunAnswer = z.object({ run: matchRunSchema });

export const startRunBody = z
  .object({ train: z.boolean().default(true).meta({ description: 'Train the model on the profiles first; false reuses the stored model (or the untrained defaults)' }) })
  .strict();

/** A numeric id from the path; anything else names nothing that exists. */
function numericId(what: string, value: string): number {
  const id = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) throw notFound(what, value);
  return id;
}

/** Review queue and batch runs of probabilistic resolvers (`/identity/reviews`, `/identity/resolvers/:id/runs`, `/identity/runs/:id`). */
export const matchingOperations = [
  operation(
    {
      method: 'get',
      path: '/identity/reviews',
      tag,
      summary: 'List pairs a probabilistic resolver queued for review, oldest first',
      query: z.object({ status: z.enum(['pending', 'accepted', 'rejected']).optional(), limit: limitSchema, cursor: z.string().optional() }),
      responses: { 200: { description: 'A page of reviews', schema: reviewsAnswer } },
    },
    async ({ c, services, query }) => {
      const afterId = query.cursor ? decodeCursor(query.cursor) : undefined;
      const { reviews, lastId } = await listReviews(services.runtime, { status: query.status, limit: query.limit, afterId });
      return c.json({ reviews, nextCursor: lastId === null ? null : encodeCursor(lastId) });
    },
  ),
  operation(
    {
      method: 'post',
      path: '/identity/reviews/:id/accept',
      tag,
      summary: 'Accept a review: merge the two profiles (rule review:<resolver>)',
      responses: {
        200: { description: 'The review and the merged profile', schema: acceptedReviewAnswer },
        404: { description: 'No such review' },
        409: { description: 'The review was rejected, or a limit forbids the merge (the message names the type)' },
      },
    },
    async ({ c, services, param, actor }) => {
      const { review, profileId } = await acceptReview(services.runtime, numericId('Review', param('id')), actor.tokenId);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'identity.review.accept', target: `review:${review.id}`, details: { profiles: review.profiles, profile: profileId } });
      return c.json({ review, profile: (await services.runtime.identity.profiles.get(profileId)).profile });
    },
  ),
  operation(
    {
      method: 'post',
      path: '/identity/reviews/:id/reject',
      tag,
      summary: 'Reject a review: the two profiles stay apart and the pair is never queued or linked again',
      responses: {
        200: { description: 'The review', schema: reviewAnswer },
        404: { description: 'No such review' },
        409: { description: 'The review was accepted (unmerge the profile instead)' },
      },
    },
    async ({ c, services, param, actor }) => {
      const review = await rejectReview(services.runtime, numericId('Review', param('id')), actor.tokenId);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'identity.review.reject', target: `review:${review.id}`, details: { profiles: review.profiles } });
      return c.json({ review });
    },
  ),
  operation(
    {
      method: 'post',
      path: '/identity/resolvers/:connectorId/runs',
      tag,
      summary: 'Start a batch run of a probabilistic resolver over all profiles',
      description: 'Answers at once; follow the run with `GET /identity/runs/:id`. A connector that cannot run (disabled, invalid config) fails the run with the reason in `error`.',
      body: startRunBody,
      responses: {
        202: { description: 'The run, started', schema: matchRunAnswer },
        400: { description: 'The connector is not an identity resolver' },
        404: { description: 'No such connector' },
        409: { description: 'The resolver is already running a batch' },
      },
    },
    async ({ c, services, param, body, actor }) => {
      const run = await profileMatcher(services.runtime).startRun(param('connectorId'), { train: body.train });
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'identity.match-run', target: `connector:${run.resolver}`, details: { run: run.id, train: body.train } });
      return c.json({ run }, 202);
    },
  ),
  operation(
    {
      method: 'get',
      path: '/identity/runs/:id',
      tag,
      summary: 'Get a batch run: status and counts so far',
      responses: { 200: { description: 'The run', schema: matchRunAnswer }, 404: { description: 'No such run' } },
    },
    async ({ c, services, param }) => c.json({ run: await profileMatcher(services.runtime).getRun(numericId('Match run', param('id'))) }),
  ),
];
