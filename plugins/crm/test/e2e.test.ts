// The hubspot destination driven through a real Weft pipeline on PostgreSQL: identifies are
// ingested, the pipeline worker routes them, the delivery manager batches them to the fake HubSpot,
// which checks the bearer token and refuses a bad email or a burst with 429 as HubSpot does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInputSchema, toWeftEvent } from '@weft/plugin-sdk';
import { startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import type { TestRuntime } from '../../../core/test-support/index.js';
import { startDestinationPipeline, type DestinationPipeline } from '../../../core/test-support/destination-pipeline.js';
import { deliveryRows, waitUntil } from '../../../core/test/engine-support.js';
import { hubspotFake, type HubSpotFake } from './fakes/hubspot.js';

const accessToken = 'pat-na1-e2e-token-0123456789';
const identify = (userId: string, email: string) =>
  toWeftEvent(eventInputSchema.parse({ type: 'identify', userId, messageId: `identify-${userId}`, traits: { email, firstName: userId, lastName: 'E2E' } }));

describe('crm through a Weft pipeline', () => {
  let test: TestRuntime;
  let ingest: DestinationPipeline['ingest'];
  let worker: DestinationPipeline['worker'];
  let pipeline: DestinationPipeline;
  let vendor: FakeServer;
  let hubspot: HubSpotFake;

  beforeAll(async () => {
    hubspot = hubspotFake({ accessToken });
    vendor = await startFakeServer(hubspot.handler);
    pipeline = await startDestinationPipeline({
      pipeline: 'crm-sync',
      actions: ['upsertContact'],
      destination: {
        id: 'hubspot-crm',
        plugin: 'crm',
        component: 'hubspot',
        config: { accessToken, baseUrl: vendor.url },
        settings: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 } },
      },
    });
    ({ test, ingest, worker } = pipeline);
  });

  afterAll(async () => {
    await vendor?.close();
    await pipeline?.close();
  });

  it('upserts the contacts, dead-letters only the bad email, and retries after a 429', async () => {
    hubspot.rateLimitNext(1, 1);
    await ingest.write('app', [identify('ada', 'ada@example.com'), identify('bad', 'not-an-email'), identify('joy', 'joy@example.com')]);
    await worker.processBatch();

    const rows = await waitUntil('the three HubSpot deliveries to settle', async () => {
      const list = await deliveryRows(test, 'hubspot-crm');
      return list.length === 3 && list.every((row) => row.status !== 'pending') ? list : undefined;
    });
    expect(rows.map((row) => [row.message_id, row.status])).toEqual([
      ['identify-ada', 'delivered'],
      ['identify-bad', 'dead'],
      ['identify-joy', 'delivered'],
    ]);
    expect(rows[1]!.last_error).toContain('INVALID_EMAIL');
    // The throttled request never reached the upsert route, so it is the one request more.
    expect(vendor.requests).toHaveLength(hubspot.upserts.length + 1);
    expect(vendor.requests.every((request) => request.headers['authorization'] === `Bearer ${accessToken}`)).toBe(true);
    expect([...hubspot.contacts.values()].map((contact) => [contact.properties['email'], contact.properties['firstname']]).sort()).toEqual([
      ['ada@example.com', 'ada'],
      ['joy@example.com', 'joy'],
    ]);
  });
});
