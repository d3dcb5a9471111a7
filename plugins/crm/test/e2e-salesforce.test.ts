// The salesforce destination driven through a real Weft pipeline on PostgreSQL: identifies are
// ingested, the pipeline worker routes them, the delivery manager upserts them into the fake
// Salesforce, which issues bearer sessions from its token endpoint and expires them on demand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInputSchema, toWeftEvent } from '@weft/plugin-sdk';
import { startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import type { TestRuntime } from '../../../core/test-support/index.js';
import { startDestinationPipeline, type DestinationPipeline } from '../../../core/test-support/destination-pipeline.js';
import { deliveryRows, waitUntil } from '../../../core/test/engine-support.js';
import { salesforceFake, type SalesforceFake } from './fakes/salesforce.js';

const credentials = { clientId: '3MVG9-e2e-client', clientSecret: 'sf-e2e-secret-0123456789', refreshToken: 'sf-e2e-refresh-0123456789' };
const identify = (userId: string, email: string) =>
  toWeftEvent(eventInputSchema.parse({ type: 'identify', userId, messageId: `identify-${userId}`, traits: { email, firstName: userId, lastName: 'E2E' } }));

describe('salesforce through a Weft pipeline', () => {
  let test: TestRuntime;
  let ingest: DestinationPipeline['ingest'];
  let worker: DestinationPipeline['worker'];
  let pipeline: DestinationPipeline;
  let vendor: FakeServer;
  let salesforce: SalesforceFake;

  const settled = (messageId: string) =>
    waitUntil(`the Salesforce delivery of ${messageId} to settle`, async () => {
      const row = (await deliveryRows(test, 'salesforce-crm')).find((candidate) => candidate.message_id === messageId);
      return row && row.status !== 'pending' ? row : undefined;
    });

  beforeAll(async () => {
    salesforce = salesforceFake({ ...credentials, externalIdField: 'Weft_Id__c', requiredFields: ['LastName'] });
    vendor = await startFakeServer(salesforce.handler);
    pipeline = await startDestinationPipeline({
      pipeline: 'crm-sync',
      actions: ['upsertRecord'],
      destination: {
        id: 'salesforce-crm',
        plugin: 'crm',
        component: 'salesforce',
        config: { ...credentials, loginUrl: vendor.url, externalIdField: 'Weft_Id__c' },
        settings: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 } },
      },
    });
    ({ test, ingest, worker } = pipeline);
  });

  afterAll(async () => {
    await vendor?.close();
    await pipeline?.close();
  });

  it('signs in with the refresh token and upserts the contact by external id', async () => {
    await ingest.write('app', [identify('ada', 'ada@example.com')]);
    await worker.processBatch();

    const row = await settled('identify-ada');
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, payload: { externalId: 'ada', fields: { Email: 'ada@example.com', FirstName: 'ada', LastName: 'E2E' } } });
    expect(salesforce.grants).toEqual(['refresh_token']);
    expect(salesforce.upserts).toEqual([{ allOrNone: false, records: [{ attributes: { type: 'Contact' }, Email: 'ada@example.com', FirstName: 'ada', LastName: 'E2E', Weft_Id__c: 'ada' }] }]);
    expect(vendor.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /services/oauth2/token', 'PATCH /services/data/v62.0/composite/sobjects/Contact/Weft_Id__c']);
    expect(salesforce.records.map((record) => [record['Weft_Id__c'], record['Email']])).toEqual([['ada', 'ada@example.com']]);
  });

  it('signs in again when the session expired (INVALID_SESSION_ID) and delivers in the same attempt', async () => {
    salesforce.expireSessions();
    const before = vendor.requests.length;
    await ingest.write('app', [identify('bob', 'bob@example.com')]);
    await worker.processBatch();

    const row = await settled('identify-bob');
    expect(row).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(salesforce.grants).toEqual(['refresh_token', 'refresh_token']);
    const requests = vendor.requests.slice(before);
    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'PATCH /services/data/v62.0/composite/sobjects/Contact/Weft_Id__c',
      'POST /services/oauth2/token',
      'PATCH /services/data/v62.0/composite/sobjects/Contact/Weft_Id__c',
    ]);
    // The refused call carried the expired session; the retry a new one.
    expect(requests[0]!.headers['authorization']).not.toBe(requests[2]!.headers['authorization']);
    expect(salesforce.records.map((record) => record['Weft_Id__c'])).toEqual(['ada', 'bob']);
  });
});
