import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runtime } from '../runtime.js';
import { WeftError } from '../errors.js';

/** The connectors and pipeline `weft start --demo` sets up. */
export const demoIds = {
  source: 'demo-web',
  transform: 'demo-enrich',
  destination: 'demo-echo',
  pipeline: 'demo',
} as const;

/** What the demo transform does to every event: mark it, so the echo shows the pipeline ran. */
export const demoEnrichExpression = '$merge([$, {"properties": $merge([properties, {"enrichedBy": "weft"}])}])';

export interface DemoOptions {
  /** Where this server answers, e.g. `http://127.0.0.1:8080`; the demo destination posts back to it. */
  baseUrl: string;
}

export interface DemoSetup {
  /** The demo source's write key (kept in `<dataDir>/demo-write-key`, since keys are shown only once). */
  writeKey: string;
  pageUrl: string;
  echoUrl: string;
  trackUrl: string;
}

/**
 * The URL this machine reaches a server on: a wildcard listen address becomes loopback.
 *
 * @example
 * localBaseUrl('0.0.0.0', 8080) // 'http://127.0.0.1:8080'
 */
export function localBaseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Where the demo write key is kept between starts. */
export const demoWriteKeyFile = (dataDir: string) => join(dataDir, 'demo-write-key');

/**
 * Makes sure the demo exists and works: `demo-web` (web SDK source) → `demo-enrich` (JSONata) →
 * `demo-echo` (signed webhook to this server's `/demo/echo`), pipeline `demo`. Idempotent: existing
 * connectors are kept, except that the echo URL follows the server's current address.
 *
 * @example
 * const server = await startServer(loadConfig(process.env, { demo: true }));
 * const demo = await ensureDemo(server.runtime, { baseUrl: `http://127.0.0.1:${server.port}` });
 * console.log(demo.pageUrl, demo.writeKey);
 */
export async function ensureDemo(runtime: Runtime, options: DemoOptions): Promise<DemoSetup> {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const echoUrl = `${baseUrl}/demo/echo`;
  const createdKey = await ensureConnector(runtime, {
    id: demoIds.source,
    plugin: 'web-sdk',
    component: 'source',
    description: 'Demo: the browser SDK on /demo',
  });
  await ensureConnector(runtime, {
    id: demoIds.transform,
    plugin: 'jsonata',
    component: 'transform',
    description: 'Demo: adds properties.enrichedBy = "weft"',
    config: { expression: demoEnrichExpression },
  });
  await ensureEchoDestination(runtime, echoUrl);
  await ensurePipeline(runtime);
  const writeKey = await ensureWriteKey(runtime, createdKey);
  return { writeKey, pageUrl: `${baseUrl}/demo`, echoUrl, trackUrl: `${baseUrl}/v1/track` };
}

interface DemoConnector {
  id: string;
  plugin: string;
  component: string;
  description: string;
  config?: Record<string, unknown>;
}

/** Creates the connector unless it exists; returns the write key when a source was created now. */
async function ensureConnector(runtime: Runtime, connector: DemoConnector): Promise<string | undefined> {
  if (await exists(() => runtime.connectors.row(connector.id))) return undefined;
  const { writeKey } = await runtime.connectors.create(connector);
  return writeKey;
}

async function ensureEchoDestination(runtime: Runtime, url: string): Promise<void> {
  if (!(await exists(() => runtime.connectors.row(demoIds.destination)))) {
    await ensureConnector(runtime, {
      id: demoIds.destination,
      plugin: 'webhook',
      component: 'destination',
      description: "Demo: signed webhook to this server's /demo/echo",
      config: { url, signingSecret: randomBytes(24).toString('base64url') },
    });
    return;
  }
  const current = await runtime.connectors.view(demoIds.destination);
  // The server may have moved to another port since the last start; the secret stays as it is.
  if (current.config.url !== url) await runtime.connectors.update(demoIds.destination, { config: { url } });
}

async function ensurePipeline(runtime: Runtime): Promise<void> {
  if (await exists(() => runtime.pipelines.get(demoIds.pipeline))) return;
  await runtime.pipelines.create(demoIds.pipeline, {
    description: 'Demo: web → enrich → echo',
    spec: { sources: [demoIds.source], transforms: [demoIds.transform], destinations: [demoIds.destination] },
  });
}

/** The saved key while it is still active; otherwise a new one, saved for the next start. */
async function ensureWriteKey(runtime: Runtime, createdNow: string | undefined): Promise<string> {
  const file = demoWriteKeyFile(runtime.config.dataDir);
  if (!createdNow) {
    const saved = readDemoWriteKey(runtime.config.dataDir);
    const active = await runtime.connectors.listWriteKeys(demoIds.source);
    if (saved && active.some((writeKey) => !writeKey.revokedAt && saved.startsWith(writeKey.prefix))) return saved;
  }
  const key = createdNow ?? (await runtime.connectors.issueWriteKey(demoIds.source)).key;
  mkdirSync(runtime.config.dataDir, { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** The demo write key `ensureDemo` saved in the data dir, if any. */
export function readDemoWriteKey(dataDir: string): string | undefined {
  const file = demoWriteKeyFile(dataDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if (error instanceof WeftError && error.status === 404) return false;
    throw error;
  }
}
