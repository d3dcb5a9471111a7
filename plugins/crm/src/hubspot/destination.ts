import { z } from 'zod';
import { defineAction, defineDestination, fail, ok, retry, type DeliveryItem, type DeliveryResult, type PluginContext } from '@weft/plugin-sdk';
import { readJson } from '@weft/plugin-sdk';
import { callHubSpot, checkHubSpot, describeHubSpotError, hubspotConnection, type HubSpotError } from './client.js';

export const hubspotConfigSchema = z.object({
  ...hubspotConnection,
  idProperty: z.string().min(1).default('email').describe('Unique contact property the upsert matches on (email, or a custom unique property)'),
});

export type HubSpotConfig = z.output<typeof hubspotConfigSchema>;
type Context = PluginContext<HubSpotConfig>;

/** HubSpot accepts at most 100 inputs per batch call. */
export const HUBSPOT_BATCH_LIMIT = 100;

const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const payloadSchema = z.object({
  properties: z.record(z.string(), propertyValue).describe('Contact properties by internal name; must include the id property'),
});
type Payload = z.output<typeof payloadSchema>;

/** Weft traits (Segment spec names) → HubSpot's default contact properties. */
const traitProperties: Record<string, string> = {
  email: 'email',
  firstName: 'firstname',
  lastName: 'lastname',
  phone: 'phone',
  company: 'company',
  title: 'jobtitle',
  website: 'website',
  'address.street': 'address',
  'address.city': 'city',
  'address.state': 'state',
  'address.postalCode': 'zip',
  'address.country': 'country',
};

function traitAt(traits: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), traits);
}

/** The identify's traits as HubSpot properties; traits without a HubSpot counterpart are left out (map them with JSONata). */
function contactProperties(traits: Record<string, unknown>): Payload['properties'] {
  const properties: Payload['properties'] = {};
  for (const [trait, property] of Object.entries(traitProperties)) {
    const value = traitAt(traits, trait);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') properties[property] = value;
  }
  return properties;
}

interface UpsertAnswer {
  results?: Array<{ id: string; properties?: Record<string, unknown>; new?: boolean }>;
  errors?: Array<HubSpotError & { context?: Record<string, unknown> }>;
}

// HubSpot matches emails case-insensitively and answers with the stored (lower-case) form.
const sameId = (idProperty: string, a: string, b: string) => (idProperty === 'email' ? a.toLowerCase() === b.toLowerCase() : a === b);

/** Upserts inputs (unique ids), splitting a batch HubSpot refuses with a 400 until the bad input stands alone. */
async function upsert(inputs: Array<{ id: string; properties: Payload['properties'] }>, ctx: Context): Promise<DeliveryResult[]> {
  const { idProperty } = ctx.config;
  const body = { inputs: inputs.map(({ id, properties }) => ({ id, idProperty, properties })) };
  const response = await callHubSpot(ctx, 'POST', '/crm/v3/objects/contacts/batch/upsert', body, `the upsert of ${inputs.length} contacts`);
  const answer = (await readJson(response)) as (UpsertAnswer & HubSpotError) | undefined;
  if (!response.ok) {
    if (inputs.length === 1) return [fail(describeHubSpotError(response.status, answer))];
    const half = Math.ceil(inputs.length / 2);
    return [...(await upsert(inputs.slice(0, half), ctx)), ...(await upsert(inputs.slice(half), ctx))];
  }
  return inputs.map(({ id }) => {
    const error = answer?.errors?.find((candidate) => Object.values(candidate.context ?? {}).some((ids) => Array.isArray(ids) && ids.some((value) => sameId(idProperty, String(value), id))));
    if (error) return fail(`HubSpot refused the contact ${idProperty}=${id}: ${error.category ?? 'error'}: ${error.message ?? 'no message'}`);
    const result = answer?.results?.find((candidate) => typeof candidate.properties?.[idProperty] === 'string' && sameId(idProperty, candidate.properties[idProperty] as string, id));
    if (result) return ok({ id: result.id, new: result.new });
    return answer?.errors?.length ? retry(`HubSpot reported errors without naming the contact ${idProperty}=${id}`) : ok();
  });
}

async function upsertContacts(items: DeliveryItem<Payload>[], ctx: Context): Promise<DeliveryResult[]> {
  const { idProperty } = ctx.config;
  const results: Array<DeliveryResult | undefined> = items.map(({ payload }) => {
    const id = payload.properties[idProperty];
    return id === undefined || id === null || id === '' ? fail(`the contact has no ${idProperty} (the connector's idProperty) in its properties`) : undefined;
  });
  // HubSpot refuses a batch naming one id twice: merge them, later properties winning, and share the result.
  const inputs = new Map<string, { id: string; properties: Payload['properties']; indexes: number[] }>();
  items.forEach(({ payload }, index) => {
    if (results[index]) return;
    const id = String(payload.properties[idProperty]);
    const key = idProperty === 'email' ? id.toLowerCase() : id;
    const input = inputs.get(key) ?? { id, properties: {}, indexes: [] };
    Object.assign(input.properties, payload.properties);
    input.indexes.push(index);
    inputs.set(key, input);
  });
  const unique = [...inputs.values()];
  if (unique.length > 0) {
    const upserted = await upsert(unique, ctx);
    unique.forEach((input, position) => input.indexes.forEach((index) => (results[index] = upserted[position])));
  }
  return results.map((result) => result!);
}

/**
 * Upserts contacts into HubSpot with the batch upsert API, matching on a unique property.
 *
 * @example
 * // connector config
 * { "accessToken": "pat-na1-…", "idProperty": "email" }
 */
export const hubspotDestination = defineDestination({
  title: 'HubSpot contacts',
  description: 'Creates or updates HubSpot contacts from identify events, 100 per batch call',
  config: hubspotConfigSchema,
  check: checkHubSpot,
  actions: {
    upsertContact: defineAction(hubspotConfigSchema, {
      title: 'Upsert contact',
      description: 'Creates or updates the contact whose id property matches, setting the mapped properties',
      payload: payloadSchema,
      types: ['identify'],
      defaultMapping: (event) => ({ properties: contactProperties({ ...event.context?.traits, ...event.traits }) }),
      batch: { maxItems: HUBSPOT_BATCH_LIMIT, maxWaitMs: 1_000 },
      performBatch: (items, ctx) => upsertContacts(items, ctx),
    }),
  },
});
