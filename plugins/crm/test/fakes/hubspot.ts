// The HubSpot CRM v3 contacts API as its public docs describe it: private app bearer tokens,
// batch upsert of at most 100 inputs by a unique id property, the search API (filters, sorts,
// `after` paging, at most 100 per page), its error shape `{status, message, correlationId, category}`
// and its 429 with Retry-After.
import { randomUUID } from 'node:crypto';
import type { FakeHandler, FakeRequest, FakeResponse } from '@weft/plugin-sdk/testing';

export interface HubSpotContact {
  id: string;
  properties: Record<string, string | null>;
}

export interface HubSpotFakeOptions {
  accessToken: string;
  /** Contacts already in the portal. */
  contacts?: HubSpotContact[];
  /** Answer a batch with an invalid input 207 with per-input errors instead of refusing it with 400. */
  multiStatus?: boolean;
}

export interface HubSpotFake {
  handler: FakeHandler;
  contacts: Map<string, HubSpotContact>;
  /** Every batch upsert body received, accepted or not. */
  upserts: Array<Array<{ id: string; idProperty: string; properties: Record<string, unknown> }>>;
  /** The next `count` calls are answered 429 with `Retry-After: seconds`. */
  rateLimitNext(count: number, seconds?: number): void;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const error = (status: number, category: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): FakeResponse => ({
  status,
  headers,
  json: { status: 'error', message, correlationId: randomUUID(), category, ...extra },
});

const compareIds = (a: string, b: string) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

export function hubspotFake(options: HubSpotFakeOptions): HubSpotFake {
  const contacts = new Map((options.contacts ?? []).map((contact) => [contact.id, contact]));
  const upserts: HubSpotFake['upserts'] = [];
  let nextId = 1000 + contacts.size;
  let limited = { count: 0, seconds: 1 };

  const upsert = (request: FakeRequest): FakeResponse => {
    const inputs = (request.json as { inputs?: unknown } | undefined)?.inputs;
    if (!Array.isArray(inputs)) return error(400, 'VALIDATION_ERROR', 'Invalid input JSON: inputs is required');
    upserts.push(inputs as HubSpotFake['upserts'][number]);
    if (inputs.length > 100) return error(400, 'VALIDATION_ERROR', `Batch input limit exceeded: ${inputs.length} inputs, at most 100`);
    const ids = new Set<string>();
    const invalid: Array<{ id: string; message: string }> = [];
    for (const input of inputs as Array<Record<string, unknown>>) {
      if (typeof input['id'] !== 'string' || typeof input['idProperty'] !== 'string' || typeof input['properties'] !== 'object') {
        return error(400, 'VALIDATION_ERROR', 'Invalid input JSON: every input needs id, idProperty and properties');
      }
      const id = input['idProperty'] === 'email' ? input['id'].toLowerCase() : input['id'];
      if (ids.has(id)) return error(400, 'VALIDATION_ERROR', `Duplicate IDs found in batch input: [${id}]`);
      ids.add(id);
      const email = (input['properties'] as Record<string, unknown>)['email'] ?? (input['idProperty'] === 'email' ? input['id'] : undefined);
      if (email !== undefined && !EMAIL.test(String(email))) invalid.push({ id: input['id'], message: `Property values were not valid: Email address ${String(email)} is invalid` });
    }
    if (invalid.length > 0 && !options.multiStatus) {
      return error(400, 'VALIDATION_ERROR', invalid[0]!.message, { errors: invalid.map(({ message }) => ({ message, code: 'INVALID_EMAIL' })) });
    }
    const now = new Date().toISOString();
    const results = (inputs as Array<{ id: string; idProperty: string; properties: Record<string, unknown> }>)
      .filter((input) => !invalid.some((bad) => bad.id === input.id))
      .map((input) => {
        const value = input.idProperty === 'email' ? input.id.toLowerCase() : input.id;
        const existing = [...contacts.values()].find((contact) => contact.properties[input.idProperty] === value);
        const id = existing?.id ?? String(nextId++);
        const properties = { ...existing?.properties, ...Object.fromEntries(Object.entries(input.properties).map(([key, v]) => [key, v === null ? null : String(v)])), [input.idProperty]: value, hs_object_id: id, lastmodifieddate: now };
        contacts.set(id, { id, properties });
        return { id, properties, createdAt: now, updatedAt: now, archived: false, new: !existing };
      });
    const answer = { status: 'COMPLETE', results, startedAt: now, completedAt: now };
    if (invalid.length === 0) return { json: answer };
    return {
      status: 207,
      json: { ...answer, numErrors: invalid.length, errors: invalid.map(({ id, message }) => ({ status: 'error', category: 'VALIDATION_ERROR', message, context: { ids: [id] } })) },
    };
  };

  const search = (request: FakeRequest): FakeResponse => {
    const body = (request.json ?? {}) as {
      filterGroups?: Array<{ filters: Array<{ propertyName: string; operator: string; value: string }> }>;
      sorts?: unknown[];
      limit?: number;
      after?: string;
      properties?: string[];
    };
    if ((body.sorts?.length ?? 0) > 1) return error(400, 'VALIDATION_ERROR', 'There was a problem with the request: sorts may contain at most one sort rule');
    const limit = body.limit ?? 10;
    if (limit > 100) return error(400, 'VALIDATION_ERROR', 'limit must be at most 100');
    const after = Number(body.after ?? 0);
    if (after >= 10_000) return error(400, 'VALIDATION_ERROR', 'after cannot be 10000 or more');
    const filters = body.filterGroups?.flatMap((group) => group.filters) ?? [];
    const matching = [...contacts.values()]
      .filter((contact) =>
        filters.every((filter) => {
          if (filter.propertyName !== 'lastmodifieddate' || filter.operator !== 'GTE') throw new Error(`the fake supports only lastmodifieddate GTE, got ${JSON.stringify(filter)}`);
          return Date.parse(contact.properties['lastmodifieddate'] ?? '') >= Number(filter.value);
        }),
      )
      .sort((a, b) => Date.parse(a.properties['lastmodifieddate']!) - Date.parse(b.properties['lastmodifieddate']!) || compareIds(a.id, b.id));
    const page = matching.slice(after, after + limit);
    const wanted = body.properties ?? ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'];
    return {
      json: {
        total: matching.length,
        results: page.map((contact) => ({ id: contact.id, properties: Object.fromEntries(wanted.map((name) => [name, contact.properties[name] ?? null])), archived: false })),
        ...(after + limit < matching.length ? { paging: { next: { after: String(after + limit) } } } : {}),
      },
    };
  };

  const handler: FakeHandler = (request) => {
    if (request.headers['authorization'] !== `Bearer ${options.accessToken}`) {
      return error(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication.');
    }
    if (limited.count > 0) {
      limited.count--;
      return error(429, 'RATE_LIMITS', 'You have reached your secondly limit.', { errorType: 'RATE_LIMIT', policyName: 'SECONDLY' }, { 'retry-after': String(limited.seconds) });
    }
    if (request.method === 'GET' && request.path === '/crm/v3/objects/contacts') return { json: { results: [...contacts.values()].slice(0, Number(request.query['limit'] ?? 10)) } };
    if (request.method === 'POST' && request.path === '/crm/v3/objects/contacts/batch/upsert') return upsert(request);
    if (request.method === 'POST' && request.path === '/crm/v3/objects/contacts/search') return search(request);
    return error(404, 'OBJECT_NOT_FOUND', `No route for ${request.method} ${request.path}`);
  };

  return {
    handler,
    contacts,
    upserts,
    rateLimitNext(count, seconds = 1) {
      limited = { count, seconds };
    },
  };
}
