// The published Segment and RudderStack Node clients, unchanged, pointed at a real Weft server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { startIngestServer, type IngestServer } from './support/ingest-server.js';

interface StoredEvent {
  type: string;
  message_id: string;
  payload: Record<string, any>;
}

const byType = (rows: StoredEvent[]) => Object.fromEntries(rows.map((row) => [row.type, row]));
const sortedIndexes = (rows: StoredEvent[]) => rows.map((row) => row.payload.properties.i as number).sort((a, b) => a - b);

describe('published tracking clients', () => {
  let weft: IngestServer;
  beforeAll(async () => {
    weft = await startIngestServer();
  });
  afterAll(async () => weft?.stop());

  const storedFor = (userIdPrefix: string) =>
    weft.sql<StoredEvent[]>`select type, message_id, payload from events where payload->>'userId' like ${userIdPrefix + '%'} order by id`;

  it('@segment/analytics-node (host = Weft) delivers identify, track, page, group, alias and a batch', async () => {
    const errors: unknown[] = [];
    const analytics = new SegmentAnalytics({ writeKey: weft.writeKey, host: weft.baseUrl, flushAt: 3, maxRetries: 0 });
    analytics.on('error', (error) => errors.push(error));
    analytics.identify({ userId: 'seg-1', traits: { email: 'seg@example.com', plan: 'pro' } });
    analytics.track({ userId: 'seg-1', event: 'Order Completed', properties: { revenue: 42.5, currency: 'EUR' } });
    analytics.page({ userId: 'seg-1', name: 'Pricing', properties: { path: '/pricing' } });
    analytics.group({ userId: 'seg-1', groupId: 'acme', traits: { employees: 420 } });
    analytics.alias({ userId: 'seg-1-new', previousId: 'seg-1' });
    for (let i = 0; i < 10; i++) analytics.track({ userId: 'seg-2', event: 'Batched', properties: { i } });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);

    // flushAt 3 makes several requests, which the client sends concurrently: compare without order.
    const first = byType(await storedFor('seg-1'));
    expect(Object.keys(first).sort()).toEqual(['alias', 'group', 'identify', 'page', 'track']);
    expect(first.identify!.payload).toMatchObject({ traits: { email: 'seg@example.com' }, context: { library: { name: '@segment/analytics-node' } } });
    expect(first.track!.payload).toMatchObject({ event: 'Order Completed', properties: { revenue: 42.5 } });
    expect(first.alias!.payload).toMatchObject({ previousId: 'seg-1' });
    // The client's messageId is the row's key, and the clock-skew correction has run.
    expect(Object.values(first).every((row) => row.message_id === row.payload.messageId && typeof row.payload.originalTimestamp === 'string')).toBe(true);
    expect(sortedIndexes(await storedFor('seg-2'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('@rudderstack/rudder-sdk-node (dataPlaneUrl = Weft, gzip on) delivers identify, track, page, screen, group, alias and a batch', async () => {
    const errors: unknown[] = [];
    const client = new RudderAnalytics(weft.writeKey, {
      dataPlaneUrl: weft.baseUrl,
      flushAt: 100,
      flushInterval: 60_000,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (error: unknown) => errors.push(error),
    });
    client.identify({ userId: 'rud-1', traits: { email: 'rud@example.com' } });
    client.track({ userId: 'rud-1', event: 'Product Viewed', properties: { sku: 'A-1' } });
    client.page({ userId: 'rud-1', name: 'Home' });
    client.screen({ userId: 'rud-1', name: 'Settings' });
    client.group({ userId: 'rud-1', groupId: 'acme' });
    client.alias({ userId: 'rud-1-new', previousId: 'rud-1' });
    for (let i = 0; i < 10; i++) client.track({ userId: 'rud-2', event: 'Batched', properties: { i } });
    await client.flush();
    expect(errors).toEqual([]);

    const first = await storedFor('rud-1');
    expect(first.map((row) => row.type)).toEqual(['identify', 'track', 'page', 'screen', 'group', 'alias']);
    expect(first[1]!.payload).toMatchObject({ event: 'Product Viewed', properties: { sku: 'A-1' }, context: { library: { name: 'analytics-node' } } });
    expect(first.every((row) => row.message_id === row.payload.messageId)).toBe(true);
    expect(sortedIndexes(await storedFor('rud-2'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a browser on another site: the preflight is answered and a text/plain beacon is stored', async () => {
    const origin = 'https://shop.example';
    const preflight = await fetch(`${weft.baseUrl}/v1/batch`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');

    const beacon = await fetch(`${weft.baseUrl}/v1/track`, {
      method: 'POST',
      headers: { origin, 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ writeKey: weft.writeKey, anonymousId: 'beacon-1', userId: 'beacon-1', event: 'Page Hidden' }),
    });
    expect(beacon.status).toBe(200);
    expect(beacon.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await storedFor('beacon-1')).map((row) => row.payload.event)).toEqual(['Page Hidden']);
  });

  it('the web SDK plugin’s weft.js is served under /sdk, cacheable and loadable from any site', async () => {
    const response = await fetch(`${weft.baseUrl}/sdk/weft.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect((await response.text()).length).toBeGreaterThan(1000);
    const again = await fetch(`${weft.baseUrl}/sdk/weft.js`, { headers: { 'if-none-match': response.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});
