/**
 * The example plugin of docs/plugins.md (plugin-sdk/examples/acme-crm), tested the way a plugin
 * author tests theirs: the conformance suite, then the plugin's own behaviour with the harness
 * against a fake Acme API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, runConformance, startFakeServer, type FakeRequest, type FakeRoutes, type FakeServer, type HookRequest } from '@weft/plugin-sdk/testing';
import acme from '../examples/acme-crm/index.js';
import { signPayload } from '../examples/acme-crm/source.js';

const apiKey = 'acme-key-0123456789';
const signingSecret = 'whsec-acme-0123456789';
const config = (baseUrl: string) => ({ baseUrl, apiKey, signingSecret });

interface Contact {
  id: string;
  email: string;
  updatedAt: string;
}

const contacts: Contact[] = [
  { id: 'c1', email: 'ada@acme.test', updatedAt: '2024-01-01T00:00:00.000Z' },
  { id: 'c2', email: 'grace@acme.test', updatedAt: '2024-01-01T00:00:00.000Z' },
  { id: 'c3', email: 'edsger@acme.test', updatedAt: '2024-01-02T00:00:00.000Z' },
];

/** Contacts after a (updatedAt, id) cursor, two per page. */
function contactsPage(request: FakeRequest) {
  const { updatedSince, afterId = '' } = request.query;
  const after = contacts.filter((contact) => !updatedSince || contact.updatedAt > updatedSince || (contact.updatedAt === updatedSince && contact.id > afterId));
  return { json: { contacts: after.slice(0, 2), hasMore: after.length > 2 } };
}

/** Acme's API as the suite and the tests below play it. */
const acmeApi: FakeRoutes = {
  'GET /v1/me': { json: { account: 'acme-test' } },
  'POST /v1/contacts/batch': (request) => ({
    json: {
      results: (request.json as { contacts: Array<{ email: string }> }).contacts.map((contact, index) =>
        contact.email.endsWith('@bounced.test') ? { error: 'the address bounced' } : { id: `ct-${index + 1}` },
      ),
    },
  }),
  'POST /v1/events': { status: 202, json: {} },
  'GET /v1/contacts': contactsPage,
};

/** A webhook request signed the way Acme signs them. */
function signed(body: string, secret = signingSecret, at = Date.now()): HookRequest {
  const timestamp = String(Math.floor(at / 1000));
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-acme-timestamp': timestamp, 'x-acme-signature': `v1=${signPayload(timestamp, body, secret)}` },
    body,
  };
}

const notification = JSON.stringify({ id: 'n-1', type: 'contact.updated', contact: { id: 'c9', email: 'linus@acme.test', updatedAt: '2024-03-01T10:00:00.000Z' } });
const identify = (email: string) => ({ type: 'identify' as const, userId: email, traits: { email, firstName: 'Ada' } });
const track = (event: string) => ({ type: 'track' as const, userId: 'u-1', event, properties: { plan: 'pro' } });

runConformance(acme, {
  components: {
    source: {
      config,
      vendor: acmeApi,
      validRequest: () => signed(notification),
      malformedRequests: () => [signed('not json'), signed('{"id":"n-2","type":"contact.deleted"}')],
    },
    'strip-test-users': {
      config: { testDomains: ['example.com'] },
      events: [identify('Ada@Acme.test'), track('Order Completed')],
      dropped: [identify('qa@example.com')],
    },
    'acme-ids': { config: {}, events: [{ type: 'identify', userId: 'u-1', traits: { acmeContactId: 'c1' } }, track('Signed Up')] },
    destination: { config, vendor: acmeApi, events: [identify('ada@acme.test'), identify('grace@acme.test'), track('Order Completed')] },
  },
});

let vendor: FakeServer | undefined;
afterEach(async () => {
  await vendor?.close();
  vendor = undefined;
});
const harness = createHarness(acme);

describe('the Acme destination', () => {
  it('upserts contacts in batches and reports each contact Acme refuses', async () => {
    vendor = await startFakeServer(acmeApi);
    const destination = harness.destination('destination', { config: config(vendor.url) });
    const run = await destination.send('upsertContacts', [identify('ada@acme.test'), identify('bob@bounced.test'), identify('grace@acme.test')]);
    expect(run.results.map(({ status }) => status)).toEqual(['ok', 'fail', 'ok']);
    expect(run.results[1]).toMatchObject({ reason: 'Acme refused the contact: the address bounced' });
    expect(vendor.requests).toHaveLength(1);
    expect(vendor.requests[0]!.headers['authorization']).toBe(`Bearer ${apiKey}`);
  });

  it('records a track event with its idempotency key, so a redelivery is dropped by Acme', async () => {
    vendor = await startFakeServer(acmeApi);
    const destination = harness.destination('destination', { config: config(vendor.url) });
    const event = { ...track('Order Completed'), messageId: 'm-42' };
    const first = await destination.send('trackEvent', [event]);
    await destination.send('trackEvent', [event], { attempt: 2 });
    const keys = vendor.requests.map((request) => request.headers['idempotency-key']);
    expect(keys).toEqual([first.results[0]!.idempotencyKey, first.results[0]!.idempotencyKey]);
    expect(vendor.requests[0]!.json).toMatchObject({ userId: 'u-1', name: 'Order Completed', properties: { plan: 'pro' } });
  });
});

describe('the Acme source', () => {
  it('turns a signed notification into an identify with the Acme contact id', async () => {
    const source = harness.source('source', { config: config('http://127.0.0.1:9') });
    const run = await source.handle(signed(notification));
    expect(run.events).toEqual([
      expect.objectContaining({
        type: 'identify',
        messageId: 'acme-notification-n-1',
        userId: 'linus@acme.test',
        context: { externalIds: [{ id: 'c9', type: 'acme_contact_id' }] },
      }),
    ]);
    expect(run.response.status).toBe(200);
  });

  it('refuses a notification signed with another secret, or signed too long ago', async () => {
    const source = harness.source('source', { config: config('http://127.0.0.1:9') });
    await expect(source.handle(signed(notification, 'another-secret'))).rejects.toThrow('the X-Acme-Signature does not match the body');
    await expect(source.handle(signed(notification, signingSecret, Date.now() - 10 * 60 * 1000))).rejects.toThrow('more than 5 minutes away');
  });

  it('syncs every contact once, resuming after the last checkpoint even within one updatedAt', async () => {
    vendor = await startFakeServer(acmeApi);
    const source = harness.source('source', { config: config(vendor.url) });
    const firstRun = await source.read('contacts');
    expect(firstRun.records.map((record) => record.traits?.['acmeContactId'])).toEqual(['c1', 'c2', 'c3']);
    expect(firstRun.checkpoints).toEqual([
      { value: '2024-01-01T00:00:00.000Z', id: 'c2' },
      { value: '2024-01-02T00:00:00.000Z', id: 'c3' },
    ]);
    const resumed = await source.read('contacts', { cursor: { value: '2024-01-01T00:00:00.000Z', id: 'c1' } });
    expect(resumed.records.map((record) => record.traits?.['acmeContactId'])).toEqual(['c2', 'c3']);
  });
});

describe('the test-user filter', () => {
  it('drops test accounts and lower-cases the emails it keeps', async () => {
    const transform = harness.transform('strip-test-users', { config: { testDomains: ['example.com'] } });
    expect((await transform.run(identify('QA@Example.com'))).result).toBeNull();
    expect((await transform.run(identify(' Ada@Acme.TEST '))).events[0]!.traits).toMatchObject({ email: 'ada@acme.test' });
  });
});
