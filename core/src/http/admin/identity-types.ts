import { z } from 'zod';
import { invalid } from '../../errors.js';
import { identifierTypeInput, normalizerNames } from '../../identity/types.js';
import { precedenceSources, traitPrecedenceSchema } from '../../identity/traits.js';
import { recordAudit } from './audit.js';
import { operation } from './operation.js';

const tag = 'Identity';

export const identifierTypeSchema = z
  .object({
    type: z.string(),
    scoped: z.boolean().meta({ description: 'Unique only within a scope (a WeChat app id)' }),
    normalizer: z.enum(normalizerNames),
    limit: z.number().int().nullable().meta({ description: 'Most distinct values per profile (per scope); null: no limit' }),
    priority: z.number().int().meta({ description: 'Higher wins: an event belongs to the profile of its highest-priority identifier' }),
    blocked: z.array(z.string()),
    blockedPatterns: z.array(z.string()),
    builtIn: z.boolean(),
  })
  .meta({ id: 'IdentifierType' });

export const droppedDefaultsSchema = z
  .object({ blocked: z.array(z.string()), blockedPatterns: z.array(z.string()) })
  .meta({ id: 'DroppedDefaults', description: "The type's default blocked values and patterns that were in force before this change and are not after it" });

export const identifierTypesAnswer = z.object({ types: z.array(identifierTypeSchema) });
export const identifierTypeAnswer = z.object({ type: identifierTypeSchema, droppedDefaults: droppedDefaultsSchema });

const settingsSchema = z.object({ traitPrecedence: traitPrecedenceSchema, phoneRegion: z.string().meta({ description: 'WEFT_PHONE_REGION: region of national phone numbers' }) });

export const identityTypeOperations = [
  operation(
    { method: 'get', path: '/identity/types', tag, summary: 'List identifier types (defaults and custom)', responses: { 200: { description: 'Identifier types', schema: identifierTypesAnswer } } },
    async ({ c, services }) => c.json({ types: await services.runtime.identityTypes.list() }),
  ),
  operation(
    {
      method: 'put',
      path: '/identity/types/:type',
      tag,
      summary: 'Add an identifier type or change one (unset fields keep their value)',
      description:
        '`blocked`/`blockedPatterns` replace the lists (defaults included), `addBlocked`/`addBlockedPatterns` append to them. `droppedDefaults` names the default values and patterns this change removed.',
      body: identifierTypeInput,
      responses: {
        200: { description: 'The type now in force', schema: identifierTypeAnswer },
        400: { description: 'Invalid, or refused: `scoped` of a built-in type, a pattern that may take super-linear time' },
        409: { description: "Changing a custom type's `scoped` while identities of it are stored" },
      },
    },
    async ({ c, services, body, param, actor }) => {
      const { type, droppedDefaults } = await services.runtime.identityTypes.put(param('type'), body);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'identity.type.put', target: `identifier-type:${type.type}`, details: body });
      return c.json({ type, droppedDefaults });
    },
  ),
  operation(
    {
      method: 'delete',
      path: '/identity/types/:type',
      tag,
      summary: 'Drop a custom type, or return a built-in one to its default',
      responses: {
        204: { description: 'Done (also for a built-in type with nothing configured)' },
        404: { description: 'The type is neither built in nor configured' },
        409: { description: 'A scoped custom type whose stored identities would become unreachable' },
      },
    },
    async ({ c, services, param, actor }) => {
      await services.runtime.identityTypes.reset(param('type'));
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'identity.type.reset', target: `identifier-type:${param('type')}` });
      return c.body(null, 204);
    },
  ),
  operation(
    { method: 'get', path: '/identity/settings', tag, summary: 'Trait precedence and the phone region', responses: { 200: { description: 'Settings', schema: z.object({ settings: settingsSchema }) } } },
    async ({ c, services }) => c.json({ settings: { traitPrecedence: await services.runtime.identity.traitPrecedence(), phoneRegion: services.runtime.identityTypes.defaultRegion } }),
  ),
  operation(
    {
      method: 'put',
      path: '/identity/settings',
      tag,
      summary: 'Set trait precedence: which sources win over which, per trait',
      description: 'Every source a rule names must be an existing connector; a 400 names each one that is not, with its path (`traitPrecedence.0.sources.1`).',
      body: z.object({ traitPrecedence: traitPrecedenceSchema }).strict(),
      responses: { 200: { description: 'Settings', schema: z.object({ settings: settingsSchema }) } },
    },
    async ({ c, services, body, actor }) => {
      const known = new Set((await services.runtime.connectors.list()).map((connector) => connector.id));
      const issues = precedenceSources(body.traitPrecedence, 'traitPrecedence')
        .filter(([id]) => !known.has(id))
        .map(([id, path]) => ({ path, message: `connector '${id}' does not exist` }));
      if (issues.length > 0) throw invalid(issues.length === 1 ? `${issues[0]!.path}: ${issues[0]!.message}` : `traitPrecedence names ${issues.length} connectors that do not exist; see issues`, issues);
      await services.runtime.identity.setTraitPrecedence(body.traitPrecedence);
      await recordAudit(services.runtime.db, { actor: actor.tokenId, action: 'identity.settings.put', target: 'identity-settings', details: body });
      return c.json({ settings: { traitPrecedence: body.traitPrecedence, phoneRegion: services.runtime.identityTypes.defaultRegion } });
    },
  ),
];
