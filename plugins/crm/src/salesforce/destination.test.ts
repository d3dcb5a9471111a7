import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import plugin from '../index.js';
import { salesforceFake, type SalesforceFake } from '../../test/fakes/salesforce.js';

const credentials = { clientId: '3MVG9-test-client', clientSecret: 'sf-test-secret-0123456789' };
const harness = createHarness(plugin);
let vendor: FakeServer;
let salesforce: SalesforceFake;

const identify = (userId: string, traits: Record<string, unknown> = { email: `${userId}@example.com`, lastName: 'Lovelace' }) => ({ type: 'identify' as const, userId, traits });

async function startSalesforce(config: Record<string, unknown> = {}, options: { refreshToken?: string } = {}) {
  salesforce = salesforceFake({ ...credentials, ...options, externalIdField: 'Weft_Id__c', requiredFields: ['LastName'] });
  vendor = await startFakeServer(salesforce.handler);
  const full = { ...credentials, loginUrl: vendor.url, externalIdField: 'Weft_Id__c', ...config };
  return { full, destination: harness.destination('salesforce', { config: full }) };
}

afterEach(async () => {
  await vendor?.close();
});

describe('salesforce destination', () => {
  it('signs in with client credentials and upserts by external id with allOrNone false', async () => {
    const { destination } = await startSalesforce();
    const run = await destination.send('upsertRecord', [identify('ada', { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' })]);
    expect(run.results[0]).toMatchObject({ status: 'ok', response: { id: expect.stringMatching(/^003/), created: true } });
    expect(salesforce.grants).toEqual(['client_credentials']);
    expect(salesforce.upserts[0]).toEqual({ allOrNone: false, records: [{ attributes: { type: 'Contact' }, Email: 'ada@example.com', FirstName: 'Ada', LastName: 'Lovelace', Weft_Id__c: 'ada' }] });
    expect(vendor.requests.at(-1)).toMatchObject({ method: 'PATCH', path: '/services/data/v62.0/composite/sobjects/Contact/Weft_Id__c' });
  });

  it('sends 201 records as two composite calls of at most 200 and reuses the cached session', async () => {
    const { destination } = await startSalesforce();
    const run = await destination.send('upsertRecord', Array.from({ length: 201 }, (_, n) => identify(`p${n}`)));
    expect(run.results.every((result) => result.status === 'ok')).toBe(true);
    expect(salesforce.upserts.map((body) => body.records.length)).toEqual([200, 1]);
    expect(salesforce.grants).toHaveLength(1);
  });

  it('fails only the record Salesforce refuses and upserts the others', async () => {
    const { destination } = await startSalesforce();
    const run = await destination.send('upsertRecord', [identify('a'), identify('b', { email: 'b@example.com' }), identify('c')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'fail', 'ok']);
    expect(run.results[1]).toMatchObject({ reason: 'Salesforce refused Contact Weft_Id__c=b: REQUIRED_FIELD_MISSING: Required fields are missing: [LastName] [LastName]' });
    expect(salesforce.records.map((record) => record['Weft_Id__c'])).toEqual(['a', 'c']);
  });

  it('signs in again and retries once when the session expired (INVALID_SESSION_ID)', async () => {
    const { destination } = await startSalesforce({ refreshToken: 'refresh-0123456789' }, { refreshToken: 'refresh-0123456789' });
    await destination.send('upsertRecord', [identify('a')]);
    salesforce.expireSessions();
    const run = await destination.send('upsertRecord', [identify('b')]);
    expect(run.results[0]).toMatchObject({ status: 'ok' });
    expect(salesforce.grants).toEqual(['refresh_token', 'refresh_token']);
    expect(salesforce.upserts).toHaveLength(2);
  });

  it('retries later when the org is out of API requests (REQUEST_LIMIT_EXCEEDED)', async () => {
    const { destination } = await startSalesforce();
    salesforce.exhaustLimitFor(1);
    const run = await destination.send('upsertRecord', [identify('a')]);
    expect(run.results[0]).toMatchObject({ status: 'retry', retryAfterMs: 300_000, reason: expect.stringContaining('REQUEST_LIMIT_EXCEEDED') });
    expect((await destination.send('upsertRecord', [identify('a')], { attempt: 2 })).results[0]).toMatchObject({ status: 'ok' });
  });

  it('pauses the connector when the refresh token is refused', async () => {
    const { destination } = await startSalesforce({ refreshToken: 'revoked' }, { refreshToken: 'refresh-0123456789' });
    const run = await destination.send('upsertRecord', [identify('a')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining('invalid_grant: expired access/refresh token') });
  });
});

describe('salesforce check()', () => {
  it('passes when the sign-in works and the external id field exists', async () => {
    const { full } = await startSalesforce();
    expect(await harness.check('salesforce', full)).toMatchObject({ ok: true });
  });

  it('reports bad client credentials in one line', async () => {
    const { full } = await startSalesforce();
    const outcome = await harness.check('salesforce', { ...full, clientSecret: 'wrong-secret' });
    expect(outcome).toMatchObject({
      ok: false,
      kind: 'auth',
      message: 'Salesforce refused the client credentials sign-in (invalid_client: invalid client credentials); check clientId, clientSecret',
    });
  });

  it('reports a field that is not an external id in one line', async () => {
    const { full } = await startSalesforce();
    const outcome = await harness.check('salesforce', { ...full, externalIdField: 'Email' });
    expect(outcome).toMatchObject({ ok: false, kind: 'config', message: 'Salesforce Contact.Email is not marked External ID; tick "External ID" on the field' });
  });

  it('reports an unreachable login URL in one line', async () => {
    const { full } = await startSalesforce();
    await vendor.close();
    const outcome = await harness.check('salesforce', full);
    expect(outcome).toMatchObject({ ok: false, kind: 'transient', message: expect.stringMatching(/^could not reach Salesforce at 127\.0\.0\.1:\d+: the connection was refused/) });
  });
});
