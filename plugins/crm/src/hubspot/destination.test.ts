import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import plugin from '../index.js';
import { hubspotFake, type HubSpotFake } from '../../test/fakes/hubspot.js';

const accessToken = 'pat-na1-test-token-0123456789';
const harness = createHarness(plugin);
let vendor: FakeServer;
let hubspot: HubSpotFake;

const identify = (email: string, traits: Record<string, unknown> = {}) => ({ type: 'identify' as const, userId: `u-${email}`, traits: { email, firstName: 'Ada', ...traits } });

async function startHubSpot(options: { multiStatus?: boolean } = {}, config: Record<string, unknown> = {}) {
  hubspot = hubspotFake({ accessToken, ...options });
  vendor = await startFakeServer(hubspot.handler);
  return harness.destination('hubspot', { config: { accessToken, baseUrl: vendor.url, ...config } });
}

afterEach(async () => {
  await vendor?.close();
});

describe('hubspot destination', () => {
  it('upserts contacts by email with the traits mapped to HubSpot properties', async () => {
    const destination = await startHubSpot();
    const run = await destination.send('upsertContact', [identify('Ada@Example.com', { lastName: 'Lovelace', title: 'Analyst', address: { city: 'London' } })]);
    expect(run.results[0]).toMatchObject({ status: 'ok', response: { new: true } });
    expect(hubspot.upserts[0]).toEqual([
      { id: 'Ada@Example.com', idProperty: 'email', properties: { email: 'Ada@Example.com', firstname: 'Ada', lastname: 'Lovelace', jobtitle: 'Analyst', city: 'London' } },
    ]);
    expect(vendor.requests[0]!.headers['authorization']).toBe(`Bearer ${accessToken}`);
  });

  it('sends 101 contacts as two batch calls of at most 100', async () => {
    const destination = await startHubSpot();
    const run = await destination.send('upsertContact', Array.from({ length: 101 }, (_, n) => identify(`p${n}@example.com`)));
    expect(run.results.every((result) => result.status === 'ok')).toBe(true);
    expect(hubspot.upserts.map((inputs) => inputs.length)).toEqual([100, 1]);
  });

  it('matches on a custom id property taken from the mapped properties', async () => {
    const destination = await startHubSpot({}, { idProperty: 'weft_id' });
    const run = await destination.send('upsertContact', [identify('a@example.com')], { payloads: [{ properties: { weft_id: 'u-1', email: 'a@example.com' } }] });
    expect(run.results[0]).toMatchObject({ status: 'ok' });
    expect(hubspot.upserts[0]).toEqual([{ id: 'u-1', idProperty: 'weft_id', properties: { weft_id: 'u-1', email: 'a@example.com' } }]);
  });

  it('fails only the contact HubSpot refuses with 400 and upserts the others', async () => {
    const destination = await startHubSpot();
    const run = await destination.send('upsertContact', [identify('a@example.com'), identify('not-an-email'), identify('c@example.com')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'fail', 'ok']);
    expect(run.results[1]).toMatchObject({ reason: expect.stringContaining('VALIDATION_ERROR (INVALID_EMAIL): Property values were not valid: Email address not-an-email is invalid') });
    expect([...hubspot.contacts.values()].map((contact) => contact.properties['email']).sort()).toEqual(['a@example.com', 'c@example.com']);
  });

  it('reads per-input errors from a 207 multi-status answer', async () => {
    const destination = await startHubSpot({ multiStatus: true });
    const run = await destination.send('upsertContact', [identify('a@example.com'), identify('not-an-email')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'fail']);
    expect(hubspot.upserts).toHaveLength(1);
  });

  it('merges events for one contact into one input, as HubSpot refuses duplicate ids', async () => {
    const destination = await startHubSpot();
    const run = await destination.send('upsertContact', [identify('a@example.com', { lastName: 'A', title: 'CEO' }), identify('A@example.com', { lastName: 'B' })]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'ok']);
    expect(hubspot.upserts[0]).toHaveLength(1);
    expect(hubspot.upserts[0]![0]!.properties).toMatchObject({ lastname: 'B', jobtitle: 'CEO' });
  });

  it('fails a contact without the id property without calling HubSpot for it', async () => {
    const destination = await startHubSpot();
    const run = await destination.send('upsertContact', [{ type: 'identify', userId: 'no-email', traits: { firstName: 'X' } }]);
    expect(run.results[0]).toMatchObject({ status: 'fail', reason: "the contact has no email (the connector's idProperty) in its properties" });
    expect(vendor.requests).toHaveLength(0);
  });

  it('retries after Retry-After when HubSpot answers 429, then upserts', async () => {
    const destination = await startHubSpot();
    hubspot.rateLimitNext(1, 2);
    const first = await destination.send('upsertContact', [identify('a@example.com')]);
    expect(first.results[0]).toMatchObject({ status: 'retry', retryAfterMs: 2000, reason: expect.stringContaining('HubSpot rate-limited') });
    const second = await destination.send('upsertContact', [identify('a@example.com')], { attempt: 2 });
    expect(second.results[0]).toMatchObject({ status: 'ok' });
  });

  it('pauses the connector when HubSpot refuses the token', async () => {
    await startHubSpot();
    const run = await harness.destination('hubspot', { config: { accessToken: 'pat-wrong', baseUrl: vendor.url } }).send('upsertContact', [identify('a@example.com')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining('HubSpot refused the private app token') });
  });
});

describe('hubspot check()', () => {
  it('passes with a good token', async () => {
    await startHubSpot();
    expect(await harness.check('hubspot', { accessToken, baseUrl: vendor.url })).toMatchObject({ ok: true });
  });

  it('reports a bad token in one line', async () => {
    await startHubSpot();
    const outcome = await harness.check('hubspot', { accessToken: 'pat-wrong', baseUrl: vendor.url });
    expect(outcome).toMatchObject({
      ok: false,
      kind: 'auth',
      message: 'HubSpot refused the private app token for the contact lookup (401 INVALID_AUTHENTICATION: Authentication credentials not found. This API supports OAuth 2.0 authentication.); check accessToken',
    });
  });

  it('reports an unreachable API in one line', async () => {
    await startHubSpot();
    await vendor.close();
    const outcome = await harness.check('hubspot', { accessToken, baseUrl: vendor.url });
    expect(outcome).toMatchObject({ ok: false, kind: 'transient', message: `could not reach HubSpot at ${new URL(vendor.url).host}: the connection was refused (nothing listens on that port) (ECONNREFUSED)` });
  });
});
