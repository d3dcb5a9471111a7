import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import plugin from '../index.js';
import { salesforceQuery } from './source.js';
import { salesforceFake, type SalesforceRecord } from '../../test/fakes/salesforce.js';

const credentials = { clientId: '3MVG9-source-client', clientSecret: 'sf-source-secret-0123456789' };
const harness = createHarness(plugin);
let vendor: FakeServer;

const record = (id: string, stamp: string): SalesforceRecord => ({ Id: id, SystemModstamp: stamp, Email: `${id.toLowerCase()}@example.com`, LastName: id, Weft_Id__c: `w-${id}` });
const tied = '2026-03-01T08:30:00.250+0000';
const records = [record('003A', '2026-03-01T08:00:00.000+0000'), record('003D', tied), record('003B', tied), record('003C', tied), record('003E', '2026-03-01T09:00:00.000+0000')];

async function startSource(config: Record<string, unknown> = {}) {
  vendor = await startFakeServer(salesforceFake({ ...credentials, externalIdField: 'Weft_Id__c', records, pageSize: 2 }).handler);
  return harness.source('salesforce-source', { config: { ...credentials, loginUrl: vendor.url, ...config } });
}

afterEach(async () => {
  await vendor?.close();
});

describe('salesforce records stream', () => {
  it('follows nextRecordsUrl and checkpoints SystemModstamp and Id after each page', async () => {
    const source = await startSource({ userIdField: 'Weft_Id__c' });
    const run = await source.read('records');
    expect(run.invalid).toEqual([]);
    expect(run.records.map((event) => event.userId)).toEqual(['w-003A', 'w-003B', 'w-003C', 'w-003D', 'w-003E']);
    expect(run.records[1]).toMatchObject({ type: 'identify', messageId: 'salesforce:003B:2026-03-01T08:30:00.250Z', traits: { email: '003b@example.com', lastName: '003B' } });
    expect(run.checkpoints).toEqual([
      { value: '2026-03-01T08:30:00.250Z', id: '003B' },
      { value: '2026-03-01T08:30:00.250Z', id: '003D' },
      { value: '2026-03-01T09:00:00.000Z', id: '003E' },
    ]);
    expect(vendor.requests.filter((request) => request.path.startsWith('/services/data/v62.0/query/'))).toHaveLength(2);
  });

  it('resumes from a checkpoint inside a run of equal timestamps without losing or repeating records', async () => {
    const source = await startSource();
    const full = await source.read('records');
    const resumed = await source.read('records', { cursor: full.checkpoints[0] });
    expect(resumed.records.map((event) => event.anonymousId)).toEqual(['salesforce:003C', 'salesforce:003D', 'salesforce:003E']);
    expect([...full.records.slice(0, 2), ...resumed.records]).toEqual(full.records);
  });

  it('queries from the cursor second, as SOQL datetimes have no milliseconds', () => {
    const config = { sObject: 'Contact', fields: ['Email'], userIdField: undefined } as Parameters<typeof salesforceQuery>[0];
    expect(salesforceQuery(config, { value: '2026-03-01T08:30:00.250Z', id: '003B' })).toBe(
      'SELECT Id, SystemModstamp, Email FROM Contact WHERE SystemModstamp >= 2026-03-01T08:30:00Z ORDER BY SystemModstamp ASC, Id ASC',
    );
  });
});
