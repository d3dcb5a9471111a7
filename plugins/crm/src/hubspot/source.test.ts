import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import plugin from '../index.js';
import { hubspotFake, type HubSpotContact } from '../../test/fakes/hubspot.js';

const accessToken = 'pat-na1-source-token-0123456789';
const harness = createHarness(plugin);
let vendor: FakeServer;

const contact = (id: number, lastmodifieddate: string): HubSpotContact => ({
  id: String(id),
  properties: { hs_object_id: String(id), email: `c${id}@example.com`, firstname: `C${id}`, lastmodifieddate },
});

async function startSource(contacts: HubSpotContact[], config: Record<string, unknown> = {}) {
  vendor = await startFakeServer(hubspotFake({ accessToken, contacts }).handler);
  return harness.source('hubspot-source', { config: { accessToken, baseUrl: vendor.url, pageSize: 2, ...config } });
}

afterEach(async () => {
  await vendor?.close();
});

// Five contacts, three of them modified in the same millisecond, spread over pages of two.
const tied = '2026-02-01T10:00:00.000Z';
const contacts = [contact(7, '2026-02-01T09:00:00.000Z'), contact(12, tied), contact(9, tied), contact(30, tied), contact(4, '2026-02-01T11:00:00.000Z')];

describe('hubspot contacts stream', () => {
  it('emits identify events oldest first with a checkpoint after each page', async () => {
    const source = await startSource(contacts);
    const run = await source.read('contacts');
    expect(run.invalid).toEqual([]);
    expect(run.records.map((record) => record.messageId)).toEqual([
      'hubspot:7:2026-02-01T09:00:00.000Z',
      `hubspot:9:${tied}`,
      `hubspot:12:${tied}`,
      `hubspot:30:${tied}`,
      'hubspot:4:2026-02-01T11:00:00.000Z',
    ]);
    expect(run.records[0]).toMatchObject({ type: 'identify', anonymousId: 'hubspot:7', traits: { email: 'c7@example.com', firstName: 'C7' } });
    expect(run.checkpoints).toEqual([{ value: tied }, { value: tied }, { value: '2026-02-01T11:00:00.000Z' }]);
    const search = vendor.requests[0]!.json as Record<string, unknown>;
    expect(search).toMatchObject({ sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }], limit: 2 });
  });

  it('resumes from a checkpoint inside a run of equal timestamps without losing a contact, repeating only ones the host dedupes', async () => {
    const source = await startSource(contacts);
    const full = await source.read('contacts');
    const resumed = await source.read('contacts', { cursor: full.checkpoints[0] });
    // Everything at the checkpoint's time is read again, under the messageIds already stored.
    expect(resumed.records.map((record) => record.messageId)).toEqual([`hubspot:9:${tied}`, `hubspot:12:${tied}`, `hubspot:30:${tied}`, 'hubspot:4:2026-02-01T11:00:00.000Z']);
    const stored = new Map([...full.records.slice(0, 2), ...resumed.records].map((record) => [record.messageId, record]));
    expect([...stored.values()]).toEqual(full.records);
    const filter = (vendor.requests.at(-1)!.json as { filterGroups: Array<{ filters: unknown[] }> }).filterGroups[0]!.filters[0];
    expect(filter).toEqual({ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse(tied)) });
  });

  it('refuses two sort rules, as HubSpot does', async () => {
    await startSource(contacts);
    const response = await fetch(`${vendor.url}/crm/v3/objects/contacts/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sorts: [{ propertyName: 'lastmodifieddate' }, { propertyName: 'hs_object_id' }] }),
    });
    expect(response.status).toBe(400);
  });

  it('yields nothing and no checkpoint when nothing changed after the cursor', async () => {
    const source = await startSource(contacts);
    const run = await source.read('contacts', { cursor: { value: '2026-02-01T11:00:00.001Z' } });
    expect(run.records).toEqual([]);
    expect(run.checkpoints).toEqual([]);
  });

  it('takes userId from the configured property', async () => {
    const source = await startSource([contact(1, tied)], { userIdProperty: 'email' });
    const run = await source.read('contacts');
    expect(run.records[0]).toMatchObject({ userId: 'c1@example.com', context: { externalIds: [{ id: '1', type: 'hubspot_contact_id' }] } });
  });
});
