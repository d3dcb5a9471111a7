import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, parseJson, spawnWeft, waitFor, weft, type RunningCli } from './support.js';

interface Banner {
  pageUrl: string;
  writeKey: string;
  body: string;
  trackUrl: string;
  echoUrl: string;
}

/** Reads what `weft start --demo` printed: the page, the ready-to-paste curl, where deliveries show. */
function readBanner(stdout: string): Banner | undefined {
  const page = /Open the demo page:\s+(\S+)/.exec(stdout);
  const curl = /curl -u '([^':]+):' -H 'content-type: application\/json' -d '([^']+)' (\S+)/.exec(stdout);
  const echo = /^\s+curl (http\S+\/demo\/echo)$/m.exec(stdout);
  if (!page || !curl || !echo) return undefined;
  return { pageUrl: page[1]!, writeKey: curl[1]!, body: curl[2]!, trackUrl: curl[3]!, echoUrl: echo[1]! };
}

/** Sends what the printed curl command sends. */
async function sendLikeTheCurl(banner: Banner, messageId: string): Promise<Response> {
  const body = { ...(JSON.parse(banner.body) as Record<string, unknown>), messageId };
  return fetch(banner.trackUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${banner.writeKey}:`).toString('base64')}` },
    body: JSON.stringify(body),
  });
}

async function echoedEvent(echoUrl: string, messageId: string) {
  const { deliveries } = (await (await fetch(echoUrl)).json()) as { deliveries: Array<{ events: Array<{ messageId: string; properties?: Record<string, unknown> }> }> };
  return deliveries.flatMap((delivery) => delivery.events).find((event) => event.messageId === messageId);
}

describe('weft start --demo on the embedded database', { timeout: 90_000 }, () => {
  let dataDir: string;
  let env: Record<string, string>;
  let running: RunningCli | undefined;
  beforeAll(() => {
    assertCliBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'weft-demo-'));
    env = { WEFT_DATA_DIR: dataDir, WEFT_LOG_LEVEL: 'warn', WEFT_POLL_INTERVAL_MS: '50' };
  });
  afterAll(async () => {
    await running?.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts the demo, stopping any earlier one first: two processes must never share a PGlite data dir. */
  async function startDemo(): Promise<Banner> {
    await running?.stop('SIGTERM');
    running = spawnWeft(['start', '--demo', '--port', '0', '--host', '127.0.0.1'], env);
    return running.waitForStdout('the demo banner', readBanner, 60_000);
  }

  it('prints the page, a curl that delivers an enriched event to the echo, and stops cleanly on SIGTERM', async () => {
    const banner = await startDemo();
    const { stdout } = running!.output();
    expect(stdout).toMatch(/Admin token \(generated now and shown only once; also saved to .+admin-token for the CLI\):\n {2}wt_\S+/);
    expect(stdout).toMatch(/(weft|node \S+run\.js) deliveries list --connector demo-echo/);

    const page = await (await fetch(banner.pageUrl)).text();
    expect(page).toContain('<script src="/sdk/weft.js"></script>');
    expect(page).toContain(JSON.stringify(banner.writeKey));

    expect((await sendLikeTheCurl(banner, 'demo-first')).status).toBe(200);
    const event = await waitFor('the event at /demo/echo', () => echoedEvent(banner.echoUrl, 'demo-first'));
    expect(event.properties).toMatchObject({ plan: 'pro', enrichedBy: 'weft' });

    const baseUrl = new URL(banner.pageUrl).origin;
    const delivered = await weft(['deliveries', 'list', '--connector', 'demo-echo', '--status', 'delivered', '--json'], { ...env, WEFT_URL: baseUrl });
    expect(delivered.code, delivered.stderr).toBe(0);
    expect(parseJson<{ deliveries: Array<{ messageId: string }> }>(delivered.stdout).deliveries.map((d) => d.messageId)).toContain('demo-first');

    const stopped = await running!.stop('SIGTERM');
    running = undefined;
    expect(stopped.code, stopped.stderr).toBe(0);
  });

  it('refuses a delivery to /demo/echo whose signature does not match', async () => {
    const banner = await startDemo();
    const forged = await fetch(banner.echoUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'weft-timestamp': String(Math.floor(Date.now() / 1000)), 'weft-signature': 'v1=00' },
      body: JSON.stringify({ batch: [{ messageId: 'forged' }] }),
    });
    expect(forged.status).toBe(401);
    expect(await echoedEvent(banner.echoUrl, 'forged')).toBeUndefined();
  });

  it('keeps its write key across restarts and follows the new port', async () => {
    const before = readBanner(running!.output().stdout)!;
    await running!.stop('SIGTERM');
    const after = await startDemo();
    expect(after.writeKey).toBe(before.writeKey);
    expect(running!.output().stdout).not.toContain('generated now');
    expect((await sendLikeTheCurl(after, 'demo-after-restart')).status).toBe(200);
    await waitFor('the event at the echo of the restarted server', () => echoedEvent(after.echoUrl, 'demo-after-restart'));
  });
});
