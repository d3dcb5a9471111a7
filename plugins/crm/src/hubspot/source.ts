import { z } from 'zod';
import { TransientError, ValidationError, defineSource, type Cursor, type EventInput, type PluginContext, type StreamMessage } from '@weft/plugin-sdk';
import { isoTimestamp, type Position } from '../cursor.js';
import { readJson } from '@weft/plugin-sdk';
import { callHubSpot, checkHubSpot, describeHubSpotError, hubspotConnection, type HubSpotError } from './client.js';

export const hubspotSourceConfigSchema = z.object({
  ...hubspotConnection,
  properties: z.array(z.string().min(1)).default(['email', 'firstname', 'lastname', 'phone', 'company']).describe('Contact properties to read; they become the traits'),
  userIdProperty: z.string().min(1).optional().describe('Property whose value becomes userId (otherwise the event carries anonymousId hubspot:<id>)'),
  pageSize: z.number().int().min(1).max(100).default(100).describe('Contacts per search page (HubSpot allows at most 100)'),
});

export type HubSpotSourceConfig = z.output<typeof hubspotSourceConfigSchema>;
type Context = PluginContext<HubSpotSourceConfig> & { cursor: Cursor | undefined };

/** HubSpot's search API pages no further than 10,000 results; past that a new search starts from the last checkpoint. */
const SEARCH_WINDOW = 10_000;

interface SearchAnswer {
  results?: Array<{ id: string; properties?: Record<string, string | null> }>;
  paging?: { next?: { after?: string } };
}

/** Weft traits from HubSpot property names, the inverse of the destination's default mapping. */
const traitNames: Record<string, string> = { firstname: 'firstName', lastname: 'lastName', jobtitle: 'title' };

function identifyFrom(contact: { id: string; properties: Record<string, string | null> }, position: Position, config: HubSpotSourceConfig): EventInput {
  const traits: Record<string, unknown> = {};
  for (const name of config.properties) {
    const value = contact.properties[name];
    if (value !== null && value !== undefined && value !== '') traits[traitNames[name] ?? name] = value;
  }
  const userId = config.userIdProperty ? contact.properties[config.userIdProperty] : undefined;
  return {
    type: 'identify',
    messageId: `hubspot:${contact.id}:${position.value}`,
    ...(userId ? { userId } : { anonymousId: `hubspot:${contact.id}` }),
    traits,
    timestamp: position.value,
    context: { externalIds: [{ id: contact.id, type: 'hubspot_contact_id', collection: 'users', encoding: 'none' }] },
  } as EventInput;
}

function searchBody(config: HubSpotSourceConfig, from: Cursor | undefined, after: string | undefined) {
  const filters = from ? [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse(String(from.value))) }] : [];
  return {
    filterGroups: filters.length ? [{ filters }] : [],
    // The search API takes one sort rule: the order of contacts sharing a timestamp is HubSpot's.
    sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
    properties: [...new Set([...config.properties, 'lastmodifieddate', 'hs_object_id', ...(config.userIdProperty ? [config.userIdProperty] : [])])],
    limit: config.pageSize,
    ...(after ? { after } : {}),
  };
}

/**
 * Reads contacts modified since the cursor, oldest first, and checkpoints `{ value: lastmodifieddate }`
 * after each page. HubSpot sorts by one property only, so the order within one timestamp is not
 * ours to rely on: a resumed read filters with GTE and reads every contact at the cursor's time
 * again. Their messageIds (`hubspot:<id>:<lastmodifieddate>`) are the ones already stored, so the
 * host drops the repeats: nothing is lost, nothing is stored twice.
 */
async function* readContacts(ctx: Context): AsyncIterable<StreamMessage> {
  let from: Cursor | undefined = ctx.cursor;
  let windowStart = from;
  const resumeFrom = from ? Date.parse(String(from.value)) : undefined;
  let after: string | undefined;
  for (;;) {
    const response = await callHubSpot(ctx, 'POST', '/crm/v3/objects/contacts/search', searchBody(ctx.config, windowStart, after), 'the contact search');
    const answer = (await readJson(response)) as (SearchAnswer & HubSpotError) | undefined;
    if (!response.ok) throw new ValidationError(describeHubSpotError(response.status, answer), { status: response.status });
    if (!answer || !Array.isArray(answer.results)) throw new TransientError('HubSpot answered the contact search without a results array');
    let last: Position | undefined;
    for (const contact of answer.results) {
      const properties = contact.properties ?? {};
      const value = isoTimestamp(properties['lastmodifieddate']);
      if (!value) throw new TransientError(`HubSpot returned contact ${contact.id} without a readable lastmodifieddate`);
      const position = { value, id: contact.id };
      if (resumeFrom !== undefined && Date.parse(value) < resumeFrom) continue;
      yield { record: identifyFrom({ id: contact.id, properties }, position, ctx.config) };
      last = position;
    }
    if (last) {
      from = { value: last.value };
      yield { checkpoint: { value: last.value } };
    }
    after = answer.paging?.next?.after;
    if (!after) return;
    if (Number(after) >= SEARCH_WINDOW) {
      if (from === windowStart) throw new TransientError(`HubSpot has more than ${SEARCH_WINDOW} contacts modified at ${String(from?.value)}; the search API cannot page past them`);
      windowStart = from;
      after = undefined;
    }
  }
}

/**
 * Pulls HubSpot contacts incrementally as identify events.
 *
 * @example
 * // connector config
 * { "accessToken": "pat-na1-…", "properties": ["email", "firstname", "lastname"] }
 */
export const hubspotSource = defineSource({
  title: 'HubSpot contacts (pull)',
  description: 'Reads contacts changed since the last run with the CRM search API, as identify events',
  config: hubspotSourceConfigSchema,
  check: checkHubSpot,
  streams: {
    contacts: { description: 'Contacts by lastmodifieddate, then id', read: readContacts },
  },
});

