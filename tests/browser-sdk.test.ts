// weft.js in a real headless Chromium: a site on one origin loads the SDK from a real Weft server
// on another, and what the browser sends must land in the events table.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startIngestServer, type IngestServer } from './support/ingest-server.js';

interface StoredEvent {
  type: string;
  messageId: string;
  payload: Record<string, any>;
}

let weft: IngestServer;
let site: { url: string; server: Server };
let browser: Browser;

/** A page of the site: loads weft.js from Weft with the analytics.js-style snippet, then `weft.load()` with `options`. */
function sitePage(writeKey: string, weftUrl: string, options: Record<string, unknown>): string {
  return `<!doctype html>
<html><head><title>Shop home</title>
<script>
  window.weft = window.weft || [];
  ['load', 'page', 'track', 'identify', 'group', 'alias', 'reset', 'flush'].forEach(function (method) {
    window.weft[method] = window.weft[method] || function () { window.weft.push([method].concat([].slice.call(arguments))); };
  });
  weft.load(${JSON.stringify(writeKey)}, ${JSON.stringify(options)});
</script>
<script async src="${weftUrl}/sdk/weft.js"></script>
</head><body><a href="/elsewhere">elsewhere</a></body></html>`;
}

async function startSite(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://site');
    const options = JSON.parse(url.searchParams.get('options') ?? '{}') as Record<string, unknown>;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(sitePage(weft.writeKey, weft.baseUrl, options));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function pageUrl(options: Record<string, unknown>, path = '/'): string {
  return `${site.url}${path}?options=${encodeURIComponent(JSON.stringify(options))}`;
}

/** Waits (bounded) until the events matching `where` are stored, and returns them. */
async function storedEvents(where: (event: StoredEvent) => boolean, count: number, timeoutMs = 10_000): Promise<StoredEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await weft.sql<StoredEvent[]>`select type, message_id as "messageId", payload from events where source_id = 'site' order by id`;
    const matching = rows.filter(where);
    if (matching.length >= count || Date.now() > deadline) return matching;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function openSite(context: BrowserContext, options: Record<string, unknown>): Promise<Page> {
  const page = await context.newPage();
  await page.goto(pageUrl(options));
  await page.waitForFunction(() => (window as any).weft?.initialized === true);
  return page;
}

beforeAll(async () => {
  weft = await startIngestServer({ sourceId: 'site' });
  site = await startSite();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.server.close(() => resolve()) : resolve()));
  await weft?.stop();
});

describe('weft.js in a browser', () => {
  it('sends page, track and identify from another origin, keeping one anonymousId across reloads', async () => {
    const context = await browser.newContext();
    const page = await openSite(context, { flushInterval: 50 });
    await page.evaluate(() => {
      const weft = (window as any).weft;
      weft.page();
      weft.track('Product Viewed', { sku: 'A-1' });
      weft.identify('user-1', { email: 'ada@example.com' });
    });
    const first = await storedEvents((event) => ['page', 'identify'].includes(event.type) || event.payload.event === 'Product Viewed', 3);
    expect(first.map((event) => event.type).sort()).toEqual(['identify', 'page', 'track']);

    await page.reload();
    await page.waitForFunction(() => (window as any).weft?.initialized === true);
    await page.evaluate(() => (window as any).weft.track('Checkout Started'));
    const [afterReload] = await storedEvents((event) => event.payload.event === 'Checkout Started', 1);
    expect(afterReload).toBeDefined();

    const all = [...first, afterReload!];
    const anonymousIds = new Set(all.map((event) => event.payload.anonymousId));
    expect(anonymousIds.size).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('weft_anonymous_id'))).toBe([...anonymousIds][0]);
    expect(afterReload!.payload.userId).toBe('user-1');

    const pageView = all.find((event) => event.type === 'page')!;
    expect(pageView.payload.properties).toMatchObject({ path: '/', title: 'Shop home', url: expect.stringContaining(site.url) });
    expect(pageView.payload.context).toMatchObject({
      library: { name: 'weft.js', version: expect.any(String) },
      page: { path: '/', title: 'Shop home' },
      userAgent: expect.stringContaining('Chrome'),
      locale: expect.any(String),
    });
    const identify = all.find((event) => event.type === 'identify')!;
    expect(identify.payload).toMatchObject({ userId: 'user-1', traits: { email: 'ada@example.com' } });
    for (const event of all) {
      expect(event.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(event.payload).toMatchObject({ sentAt: expect.any(String), originalTimestamp: expect.any(String), timestamp: expect.any(String) });
    }
    await context.close();
  });

  it('retries a batch the server answers with a temporary 503', async () => {
    const context = await browser.newContext();
    const answers: number[] = [];
    await context.route(`${weft.baseUrl}/v1/batch`, async (route) => {
      if (answers.length === 0) {
        answers.push(503);
        await route.fulfill({ status: 503, headers: { 'access-control-allow-origin': site.url }, body: 'maintenance' });
        return;
      }
      const response = await route.fetch();
      answers.push(response.status());
      await route.fulfill({ response });
    });
    const page = await openSite(context, { flushInterval: 50, retryBaseDelay: 100 });
    await page.evaluate(() => (window as any).weft.track('Retried After 503'));
    const stored = await storedEvents((event) => event.payload.event === 'Retried After 503', 1);
    expect(stored).toHaveLength(1);
    expect(answers[0]).toBe(503);
    expect(answers).toContain(200);
    await context.close();
  });

  it('drops a batch the server refuses with 400, with a console warning', async () => {
    const context = await browser.newContext();
    await context.route(`${weft.baseUrl}/v1/batch`, (route) =>
      route.fulfill({ status: 400, headers: { 'access-control-allow-origin': site.url }, body: '{"error":{"code":"invalid_event"}}' }),
    );
    const page = await openSite(context, { flushInterval: 50 });
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await page.evaluate(() => (window as any).weft.track('Refused'));
    await expect.poll(() => warnings.join('\n'), { timeout: 5_000 }).toContain('Weft refused 1 event(s); they are dropped: HTTP 400');
    expect(await page.evaluate((key) => localStorage.getItem(key), `weft_queue:${weft.writeKey}`)).toBeNull();
    await context.close();
  });

  it('sends events still queued when the page is left with sendBeacon', async () => {
    const context = await browser.newContext();
    // Records what each page hands to sendBeacon (and whether the browser took it) where the next page can read it.
    await context.addInitScript(() => {
      const sendBeacon = navigator.sendBeacon.bind(navigator);
      navigator.sendBeacon = (url, data) => {
        const accepted = sendBeacon(url, data);
        const text = data instanceof Blob ? `${data.type} ${data.size} bytes` : String(data);
        localStorage.setItem('beacons', `${localStorage.getItem('beacons') ?? ''}${accepted} ${url} ${text}\n`);
        return accepted;
      };
    });
    // Nothing is sent by fetch: 100 events or 10 minutes would have to pass first.
    const page = await openSite(context, { flushAt: 100, flushInterval: 600_000 });
    await page.evaluate(() => (window as any).weft.track('Left Before Flush'));
    const queueKey = `weft_queue:${weft.writeKey}`;
    expect(await page.evaluate((key) => localStorage.getItem(key), queueKey)).toContain('Left Before Flush');

    await page.goto(`${site.url}/elsewhere`);
    const stored = await storedEvents((event) => event.payload.event === 'Left Before Flush', 1);
    expect(stored).toHaveLength(1);
    const beacons = await page.evaluate(() => localStorage.getItem('beacons'));
    expect(beacons).toMatch(new RegExp(`^true ${weft.baseUrl}/v1/batch text/plain;charset=utf-8 \\d+ bytes$`, 'm'));
    await context.close();
  });

  it('sends events a previous page left in the persisted queue', async () => {
    const context = await browser.newContext();
    const leftover = {
      type: 'track',
      event: 'Left In Queue',
      messageId: '6f1c2a8e-1d2b-4c3a-9e8f-0a1b2c3d4e5f',
      anonymousId: 'anon-from-last-visit',
      originalTimestamp: new Date().toISOString(),
    };
    // As if the last visit ended offline: the event is still in localStorage when the site opens.
    await context.addInitScript(
      ({ key, queue }) => {
        if (!sessionStorage.getItem('seeded')) {
          sessionStorage.setItem('seeded', '1');
          localStorage.setItem(key, queue);
        }
      },
      { key: `weft_queue:${weft.writeKey}`, queue: JSON.stringify([leftover]) },
    );
    const page = await openSite(context, { flushInterval: 600_000 });
    const [stored] = await storedEvents((event) => event.messageId === leftover.messageId, 1);
    expect(stored?.payload).toMatchObject({ event: 'Left In Queue', anonymousId: 'anon-from-last-visit' });
    await expect.poll(() => page.evaluate((key) => localStorage.getItem(key), `weft_queue:${weft.writeKey}`)).toBeNull();
    await context.close();
  });
});
