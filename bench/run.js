// Weft benchmarks: one command, prints figures. Not part of the test suite.
//   pnpm bench                      # everything, 10 s per measurement
//   pnpm bench -- --duration 5 --only ingest,track,pglite,delivery
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './lib/args.js';
import { freePort, startChild } from './lib/processes.js';
import { postLoad } from './lib/load.js';
import { batchBody, trackEvent } from './lib/events.js';
import { rawInsertRate, rawInsertRatePglite } from './lib/raw-insert.js';
import { createDatabase, prepareWeft, serverSettings } from './lib/setup.js';

const args = benchArgs('node bench/run.js', {
  duration: { type: 'string', default: '10', number: true, description: 'seconds of each load phase' },
  only: { type: 'string', default: 'ingest,track,pglite,delivery', description: 'the parts to run, comma-separated' },
  'delivery-events': { type: 'string', default: '20000', number: true, description: 'events of the delivery run' },
});
const duration = Number(args.duration);
const only = new Set(args.only.split(','));
const figures = [];

function report(name, value, unit, note = '') {
  figures.push({ name, value: Math.round(value), unit, note });
  console.log(`  ${name.padEnd(52)} ${String(Math.round(value)).padStart(9)} ${unit}${note ? `  (${note})` : ''}`);
}

const BATCH = 100;
const withSource = async (runtime) => {
  const { writeKey } = await runtime.connectors.create({ id: 'bench-src', plugin: 'web-sdk', component: 'source' });
  return { writeKey };
};
const auth = (writeKey) => ({ authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` });

async function measureIngest(label, env, writeKey) {
  const port = await freePort();
  const server = await startChild('weft-server.js', { ...env, WEFT_PORT: String(port), WEFT_HOST: '127.0.0.1', WEFT_ROLE: 'api' });
  try {
    const base = `http://127.0.0.1:${port}`;
    const batch = await postLoad({ url: `${base}/v1/batch`, headers: auth(writeKey), makeBody: (i) => batchBody(i * BATCH, BATCH), connections: 16, durationSeconds: duration });
    report(`${label}: /v1/batch durable ingest`, batch.requestsPerSecond * BATCH, 'events/s', `batches of ${BATCH}, p99 ${batch.latencyP99} ms, ${batch.failed} failed`);
    const track = await postLoad({ url: `${base}/v1/track`, headers: auth(writeKey), makeBody: (i) => JSON.stringify(trackEvent(50_000_000 + i)), connections: 64, durationSeconds: duration });
    report(`${label}: /v1/track single events`, track.requestsPerSecond, 'req/s', `p99 ${track.latencyP99} ms, ${track.failed} failed`);
    return { batch, track };
  } finally {
    await server.stop();
  }
}

async function measureBareHono() {
  const port = await freePort();
  const server = await startChild('bare-hono.js', { PORT: String(port) });
  try {
    const track = await postLoad({ url: `http://127.0.0.1:${port}/v1/track`, makeBody: (i) => JSON.stringify(trackEvent(i)), connections: 64, durationSeconds: duration });
    report('bare Hono JSON handler: /v1/track', track.requestsPerSecond, 'req/s', `p99 ${track.latencyP99} ms`);
    return track.requestsPerSecond;
  } finally {
    await server.stop();
  }
}

async function benchPostgres() {
  console.log('\nPostgreSQL (127.0.0.1:5432)');
  const database = await createDatabase();
  try {
    const weft = await prepareWeft({ databaseUrl: database.url, configure: withSource });
    const { batch, track } = await measureIngest('PostgreSQL', weft.env, weft.writeKey);
    const raw = await rawInsertRate({ url: database.url, batchSize: BATCH, connections: 10, durationSeconds: duration });
    report('PostgreSQL: raw batched INSERT of the same rows', raw, 'rows/s', `batches of ${BATCH}, 10 connections`);
    report('PostgreSQL: /v1/batch as % of raw insert', (100 * batch.requestsPerSecond * BATCH) / raw, '%', 'target ≥ 50 %');
    if (only.has('track')) {
      const bare = await measureBareHono();
      report('PostgreSQL: /v1/track as % of bare Hono', (100 * track.requestsPerSecond) / bare, '%', 'target ≥ 50 %');
    }
  } finally {
    await database.drop();
  }
}

async function benchPglite() {
  console.log('\nEmbedded PGlite');
  const weft = await prepareWeft({ databaseUrl: undefined, configure: withSource });
  const { batch, track } = await measureIngest('PGlite', weft.env, weft.writeKey);
  const rawDir = mkdtempSync(join(tmpdir(), 'weft-bench-raw-'));
  const raw = await rawInsertRatePglite({ dataDir: rawDir, batchSize: BATCH, durationSeconds: duration });
  report('PGlite: raw batched INSERT of the same rows', raw, 'rows/s', `batches of ${BATCH}`);
  report('PGlite: /v1/batch as % of raw insert', (100 * batch.requestsPerSecond * BATCH) / raw, '%');
  report('PGlite: /v1/track', track.requestsPerSecond, 'req/s');
}

async function benchDelivery() {
  const total = Number(args['delivery-events']);
  console.log(`\nDelivery to a local webhook sink (${total} events, PostgreSQL)`);
  const received = new Set();
  let calls = 0;
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  const sink = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls++;
      const parsed = JSON.parse(body);
      for (const event of parsed.batch ?? [parsed]) received.add(event.messageId);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      if (received.size >= total) resolveDone();
    });
  });
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${sink.address().port}/in`;
  const database = await createDatabase();
  try {
    const weft = await prepareWeft({
      databaseUrl: database.url,
      configure: async (runtime) => {
        const source = await withSource(runtime);
        await runtime.connectors.create({ id: 'bench-sink', plugin: 'webhook', component: 'destination', config: { url: sinkUrl, signingSecret: 'bench-secret-123' }, settings: { concurrency: 8 } });
        await runtime.pipelines.create('bench', { spec: { sources: ['bench-src'], destinations: ['bench-sink'] } });
        return source;
      },
    });
    const port = await freePort();
    const server = await startChild('weft-server.js', { ...weft.env, WEFT_PORT: String(port), WEFT_HOST: '127.0.0.1', WEFT_ROLE: 'all' });
    try {
      const started = Date.now();
      for (let first = 0; first < total; first += 500) {
        const response = await fetch(`http://127.0.0.1:${port}/v1/batch`, { method: 'POST', headers: { ...auth(weft.writeKey), 'content-type': 'application/json' }, body: batchBody(first, Math.min(500, total - first)) });
        if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      }
      const ingested = Date.now();
      await done;
      const seconds = (Date.now() - started) / 1000;
      report('ingest → pipeline → webhook: end-to-end', total / seconds, 'events/s', `${calls} HTTP calls, ingest took ${((ingested - started) / 1000).toFixed(1)} s`);
    } finally {
      await server.stop();
    }
  } finally {
    sink.close();
    await database.drop();
  }
}

console.log(`Weft benchmarks — ${new Date().toISOString()}, ${duration} s per measurement`);
const server = await serverSettings().catch((error) => `PostgreSQL settings not read: ${error.message}`);
console.log(`  ${server}`);
if (only.has('ingest') || only.has('track')) await benchPostgres();
if (only.has('pglite')) await benchPglite();
if (only.has('delivery')) await benchDelivery();
mkdirSync(new URL('./results', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), duration, server, figures }, null, 2));
console.log('\nFigures written to bench/results/latest.json');
