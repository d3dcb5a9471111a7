import { z } from 'zod';
import { ledgerKinds } from '../../db/schema/index.js';
import { invalid } from '../../errors.js';
import { recordAudit } from './audit.js';
import { operation } from './operation.js';
import { limitSchema, nextCursorSchema } from './schemas.js';

const tag = 'Profiles';
const isoTime = z.string().meta({ format: 'date-time' });
const identifierSchema = z.object({ type: z.string(), scope: z.string().nullable(), value: z.string() });

export const profileSchema = z
  .object({
    id: z.string(),
    traits: z.record(z.string(), z.unknown()),
    traitSources: z.record(z.string(), z.object({ source: z.string(), at: isoTime, eventId: z.number().nullable() })).meta({ description: 'Where each trait value came from' }),
    identities: z.array(identifierSchema.extend({ firstSeenAt: isoTime, lastSeenAt: isoTime })),
    firstSeenAt: isoTime.nullable(),
    lastSeenAt: isoTime.nullable(),
    eventCount: z.number().int(),
    createdAt: isoTime,
  })
  .meta({ id: 'Profile' });

export const profileAnswer = z.object({ profile: profileSchema, redirectedFrom: z.string().optional().meta({ description: 'The merged-away id that was asked for' }) });

export const timelineEventSchema = z
  .object({
    eventId: z.number().int(),
    messageId: z.string(),
    sourceId: z.string(),
    type: z.string(),
    event: z.string().nullable(),
    occurredAt: isoTime,
    properties: z.record(z.string(), z.unknown()).nullable(),
    traits: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'TimelineEvent' });

export const explanationSchema = z
  .object({
    profileId: z.string(),
    identities: z.array(identifierSchema.extend({ firstSeenAt: isoTime, lastSeenAt: isoTime })),
    links: z.array(
      z.object({
        id: z.number().int(),
        from: identifierSchema,
        to: identifierSchema,
        rule: z.string().meta({ description: '`event`, `manual`, `review:<resolver>` or `probabilistic:<resolver>`' }),
        confidence: z.number(),
        eventId: z.number().int().nullable(),
        at: isoTime,
        removedAt: isoTime.nullable(),
        evidence: z.record(z.string(), z.unknown()).nullable(),
      }),
    ),
    ledger: z.array(
      z.object({
        id: z.number().int(),
        at: isoTime,
        kind: z.enum(ledgerKinds).meta({
          description: 'created; merged (by an event, by hand, by a probabilistic link or an accepted review); conflict (a merge a limit or an unmerge refused); unmerged (one row per resulting profile); review (a pair queued or rejected). Attaching an identifier writes no row: its link is the record',
        }),
        profileId: z.string().meta({ description: 'The profile the row is about: this one, one merged into it, or another that names it in otherProfileId' }),
        otherProfileId: z.string().nullable().describe('The other profile of a merge, conflict, unmerge or review'),
        summary: z.string(),
        eventId: z.number().int().nullable(),
        rule: z.string().nullable(),
        confidence: z.number().nullable(),
        details: z.record(z.string(), z.unknown()).nullable(),
      }),
    ),
  })
  .meta({ id: 'ProfileExplanation' });

export const timelineAnswer = z.object({ events: z.array(timelineEventSchema), nextCursor: nextCursorSchema });
export const explanationAnswer = z.object({ explanation: explanationSchema });
export const mergeAnswer = z.object({ profile: profileSchema, merged: z.array(z.string()) });
export const unmergeAnswer = z.object({ profiles: z.array(profileSchema) });

export const mergeBody = z.object({ profileId: z.string().min(1).meta({ description: 'The profile to merge with this one' }), reason: z.string().max(1_000).optional() }).strict();

export const unmergeBody = z
  .object({
    identifier: z.string().min(3).optional().meta({ description: 'Detach this identifier (type:value or type:scope:value) and everything only it connects', examples: ['email:ada@example.com'] }),
    linkId: z.number().int().positive().optional().meta({ description: 'Remove this one link (from `explain`)' }),
    reason: z.string().max(1_000).optional(),
  })
  .strict()
  .refine((body) => (body.identifier === undefined) !== (body.linkId === undefined), { message: 'give exactly one of identifier or linkId', path: ['identifier'] });

export const profileOperations = [
  operation(
    {
      method: 'get',
      path: '/profiles',
      tag,
      summary: 'Find the profile holding an identifier',
      query: z.object({ identifier: z.string().min(1).meta({ description: 'type:value, or type:scope:value for scoped types', examples: ['email:ada@example.com', 'wechat_openid:wx5823bf96d3bd56c7:o6_bmjrPTlm6_2sgVt7hMZOPfL2M'] }) }),
      responses: { 200: { description: 'The profile', schema: profileAnswer }, 404: { description: 'No profile has that identifier' } },
    },
    async ({ c, services, query }) => c.json({ profile: await services.runtime.identity.profiles.lookup(query.identifier) }),
  ),
  operation(
    {
      method: 'get',
      path: '/profiles/:id',
      tag,
      summary: 'Get a profile: traits (with their sources), identities, first and last seen',
      description: 'A profile that was merged into another answers with the survivor and `redirectedFrom`.',
      responses: { 200: { description: 'The profile', schema: profileAnswer }, 404: { description: 'No such profile' } },
    },
    async ({ c, services, param }) => c.json(await services.runtime.identity.profiles.get(param('id'))),
  ),
  operation(
    {
      method: 'get',
      path: '/profiles/:id/events',
      tag,
      summary: "The profile's timeline, newest first",
      query: z.object({ limit: limitSchema, cursor: z.string().optional() }),
      responses: { 200: { description: 'One page of events', schema: timelineAnswer }, 404: { description: 'No such profile' } },
    },
    async ({ c, services, param, query }) => c.json(await services.runtime.identity.profiles.timeline(param('id'), query.limit, query.cursor)),
  ),
  operation(
    {
      method: 'get',
      path: '/profiles/:id/explain',
      tag,
      summary: 'Why these identifiers are one person: links with their evidence, and the ledger',
      responses: { 200: { description: 'The explanation', schema: explanationAnswer }, 404: { description: 'No such profile' } },
    },
    async ({ c, services, param }) => c.json({ explanation: await services.runtime.identity.profiles.explain(param('id')) }),
  ),
  operation(
    {
      method: 'post',
      path: '/profiles/:id/merge',
      tag,
      summary: 'Merge another profile with this one (into the older of the two)',
      body: mergeBody,
      responses: {
        200: { description: 'The merged profile', schema: mergeAnswer },
        404: { description: 'No such profile' },
        409: { description: 'Already one profile, or a limit forbids it (the message names the type)' },
      },
    },
    async ({ c, services, body, param, actor }) => {
      const survivor = await services.runtime.identity.merge([param('id'), body.profileId], { rule: 'manual', confidence: 1, evidence: { actor: actor.tokenId, reason: body.reason ?? null }, overridesUnmerge: true });
      const merged = [param('id'), body.profileId].filter((id) => id !== survivor);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'profile.merge', target: `profile:${survivor}`, details: { merged, reason: body.reason ?? null } });
      return c.json({ profile: (await services.runtime.identity.profiles.get(survivor)).profile, merged });
    },
  ),
  operation(
    {
      method: 'post',
      path: '/profiles/:id/unmerge',
      tag,
      summary: 'Split a profile by detaching an identifier or removing a link',
      description: 'Events, identifiers and traits are re-attributed from the ledger. An identifier that came in with a merged profile takes that profile out whole, with the profiles merged into it, restored under its old id.',
      body: unmergeBody,
      responses: {
        200: { description: 'The resulting profiles, the one that kept the id first', schema: unmergeAnswer },
        404: { description: 'No such profile, identifier or link on it' },
        409: { description: 'Nothing would split' },
      },
    },
    async ({ c, services, body, param, actor }) => {
      const { identity } = services.runtime;
      const target = body.identifier !== undefined ? { identifier: await identity.types.parse(body.identifier) } : body.linkId !== undefined ? { linkId: body.linkId } : undefined;
      if (!target) throw invalid('Give an identifier or a linkId to unmerge by');
      const ids = await identity.unmerge(param('id'), target, body.reason);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'profile.unmerge', target: `profile:${param('id')}`, details: { ...body, profiles: ids } });
      const profiles = [];
      for (const id of ids) profiles.push((await identity.profiles.get(id)).profile);
      return c.json({ profiles });
    },
  ),
];
