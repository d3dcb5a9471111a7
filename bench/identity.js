// The identity stage on PostgreSQL (127.0.0.1:5432): identify throughput of one pipeline worker,
// and profile lookup latency at 1M profiles (ProfileService, and the admin HTTP API).
//   pnpm build && node bench/identity.js                      # 1M events, 20k lookups, batch sizes 500/1000/2000
//   node bench/identity.js --events 200000 --lookups 5000 --sizes 500 --sweep-events 0
//   node bench/identity.js --events 200000 --lookups 0 --sweep-events 0 --profiles 0 --repeat 0.7   # 70 % repeat identifies
// Each run creates its own databases and drops them at the end.
import { Agent, get } from 'node:http';
import { Session } from 'node:inspector/promises';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import postgres from 'postgres';
import { PipelineWorker, createRuntime, loadConfig } from '@weft/core';
import { createDatabase, prepareWeft, serverSettings } from './lib/setup.js';
import { benchArgs } from './lib/args.js';
import { freePort, startChild } from './lib/processes.js';
import { loadIdentifyEvents, topUpProfiles } from './lib/identity-data.js';
import { timeStatements } from './lib/identity-sql-timer.js';
import { emulateAutovacuum } from './lib/identity-autovacuum.js';
import { measureWriteFloor } from './lib/identity-floor.js';
import { backendCpu } from './lib/backend-cpu.js';

const args = benchArgs('node bench/identity.js', {
  events: { type: 'string', default: '1000000', number: true, description: 'identify events of the main throughput run' },
  lookups: { type: 'string', default: '20000', number: true, description: 'profile lookups timed, in-process and over HTTP (0: none)' },
  batch: { type: 'string', default: '500', number: true, description: 'events per batch of the main run (WEFT_PIPELINE_BATCH_SIZE)' },
  concurrency: { type: 'string', default: '2', number: true, description: 'batches the worker has in flight at once (WEFT_PIPELINE_CONCURRENCY)' },
  sizes: { type: 'string', default: '500,1000,2000', description: 'batch sizes of the sweep, comma-separated' },
  'sweep-events': { type: 'string', default: '100000', number: true, description: 'events of each sweep run (0: no sweep)' },
  profiles: { type: 'string', default: '1000000', number: true, description: 'live profiles the graph is topped up to before the lookups' },
  seed: { type: 'string', default: '42', number: true, description: 'seed of the synthetic events' },
  repeat: { type: 'string', default: '0', number: true, description: 'share of events that are a known person on a known device (0 up to 1)' },
  // The server has autovacuum off; without ANALYZE the planner scans identities for every batch.
  autovacuum: { type: 'boolean', default: true, description: 'run the autovacuum stand-in beside the worker' },
  // After the main run: the same rows written server-side with no logic (bench/lib/identity-floor.js).
  floor: { type: 'boolean', default: true, description: 'measure the write floor after the main run' },
  'cpu-profile': { type: 'string', default: '', description: "write the worker's CPU profile of the main run to this file (.cpuprofile, for Chrome DevTools)" },
});
const totalEvents = Number(args.events);
const lookups = Number(args.lookups);
const mainBatch = Number(args.batch);
const concurrency = Number(args.concurrency);
const sweepSizes = args.sizes.split(',').filter(Boolean).map(Number);
const sweepEvents = Number(args['sweep-events']);
const targetProfiles = Number(args.profiles);
const seed = Number(args.seed);
const repeat = Number(args.repeat);
if (!(repeat >= 0 && repeat < 1)) {
  console.error(`identity.js: --repeat must be a share from 0 up to (not including) 1, not ${args.repeat}`);
  process.exit(2);
}
const figures = [];
const results = { at: new Date().toISOString(), args: { events: totalEvents, lookups, batch: mainBatch, concurrency, sizes: sweepSizes, sweepEvents, profiles: targetProfiles, seed, repeat, autovacuum: args.autovacuum } };
const runStarted = performance.now();

function report(name, value, unit, note = '', digits = 0) {
  figures.push({ name, value: Number(value.toFixed(digits)), unit, note });
  console.log(`  ${name.padEnd(52)} ${value.toFixed(digits).padStart(9)} ${unit}${note ? `  (${note})` : ''}`);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const quiet = { onnotice: () => {} };

function percentiles(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1], mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

/**
 * A fresh database with one `web-sdk` source and no pipeline, `total` identify events pending,
 * and one pipeline worker draining them `batchSize` at a time. Leaves the database open.
 */
async function identifyRun({ total, batchSize, label }) {
  const database = await createDatabase();
  const weft = await prepareWeft({
    databaseUrl: database.url,
    configure: async (runtime) => {
      await runtime.connectors.create({ id: 'web', plugin: 'web-sdk', component: 'source' });
      return {};
    },
  });
  const env = { ...weft.env, WEFT_PIPELINE_BATCH_SIZE: String(batchSize), WEFT_PIPELINE_CONCURRENCY: String(concurrency) };
  const sql = postgres(database.url, { max: 2, ...quiet });
  const cleanup = async () => {
    cleanups.delete(cleanup);
    await sql.end();
    await database.drop();
    rmSync(weft.dataDir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  try {
    const loadStarted = performance.now();
    const kinds = await loadIdentifyEvents(sql, { sourceId: 'web', total, seed, repeat });
    const loadMs = performance.now() - loadStarted;
    console.log(`  [${label}] ${total} pending identify events stored in ${seconds(loadMs)}: ${Object.entries(kinds).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);

    const runtime = await createRuntime(loadConfig(env));
    const timer = timeStatements(runtime);
    const worker = new PipelineWorker(runtime);
    const batchMs = [];
    const marks = [];
    let done = 0;
    let lastPrint = performance.now();
    const autovacuum = args.autovacuum ? emulateAutovacuum(database.url) : undefined;
    const backendsBefore = await backendCpu(sql);
    const machineBefore = machineCpu();
    const profiler = label === 'main' && args['cpu-profile'] ? await startProfiler() : undefined;
    const workerBefore = process.cpuUsage();
    const started = performance.now();
    // As the worker's own loops run (PipelineWorker.start), instrumented: `concurrency` batches in flight.
    const loop = async () => {
      for (;;) {
        const batchStarted = performance.now();
        const handled = await worker.processBatch();
        if (handled === 0) return;
        batchMs.push(performance.now() - batchStarted);
        const before = done;
        done += handled;
        // The rate of each tenth of the events: does it fall as the graph grows?
        if (Math.floor((before * 10) / total) !== Math.floor((done * 10) / total)) marks.push({ events: done, ms: performance.now() - started });
        if (performance.now() - lastPrint > 15_000) {
          lastPrint = performance.now();
          console.log(`  [${label}] ${done} / ${total} events, ${Math.round(done / ((lastPrint - started) / 1000))} events/s so far`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    const workMs = performance.now() - started;
    const workerCpu = process.cpuUsage(workerBefore);
    if (profiler) writeFileSync(args['cpu-profile'], JSON.stringify(await profiler.stop()));
    const machine = machineCpu();
    const backendsAfter = await backendCpu(sql);
    const maintenance = (await autovacuum?.stop()) ?? null;
    const cpu = {
      // This process is the worker: its CPU against the wall time of the run, in cores.
      workerCores: (workerCpu.user + workerCpu.system) / 1000 / workMs,
      machineBusy: (machine.busy - machineBefore.busy) / (machine.total - machineBefore.total),
      cores: machine.cores,
      // Per event, in core-ms: the worker process, the server processes serving its connections, the autovacuum stand-in's.
      perEvent: {
        worker: (workerCpu.user + workerCpu.system) / 1000 / done,
        database: backendsAfter.since(backendsBefore) / done,
        backends: backendsAfter.pids,
        vacuum: maintenance?.cpuSeconds ? (maintenance.cpuSeconds * 1000) / done : 0,
      },
    };
    const [counts] = await sql`
      select (select count(*)::int from profiles) as profiles,
        (select count(*)::int from profiles where merged_into is null) as live_profiles,
        (select count(*)::int from identities) as identities,
        (select count(*)::int from identity_links) + (select count(*)::int from identities where attached_to_id is not null) as links,
        (select count(*)::int from identity_ledger where kind = 'merged') as merges,
        (select count(*)::int from identity_ledger where kind = 'linked') as linked,
        (select count(*)::int from identity_ledger where kind = 'conflict') as conflicts,
        (select count(*)::int from profile_events) as profile_events,
        (select count(*)::int from events) - (select count(*)::int from event_queue) as done_events,
        (select count(*)::int from event_queue) as not_done_events`;
    const tenths = marks.map((mark, index) => {
      const previous = marks[index - 1] ?? { events: 0, ms: 0 };
      return Math.round((mark.events - previous.events) / ((mark.ms - previous.ms) / 1000));
    });
    return { database, env, sql, runtime, timer, cleanup, total, batchSize, loadMs, kinds, workMs, rate: done / (workMs / 1000), processed: done, batches: batchMs.length, batch: percentiles(batchMs), tenths, counts, maintenance, cpu };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function printStatements(stats, processed, workMs, top = 14) {
  const claimMs = stats.statements.filter((entry) => entry.statement.startsWith('with claimed as ( update event_queue')).reduce((sum, entry) => sum + entry.totalMs, 0);
  console.log(`    processBatch ${seconds(workMs)}: claim ${seconds(claimMs)}, identity + routing transaction ${seconds(stats.transactionMs)}, ` +
    `outside both (transform, identity prepare: normalising in JS) ${seconds(workMs - claimMs - stats.transactionMs)}`);
  console.log(`    where the worker's time went (wall time per statement as the worker sees it, ${stats.transactions} transactions):`);
  for (const entry of stats.statements.slice(0, top)) {
    console.log(`    ${(entry.totalMs / 1000).toFixed(1).padStart(7)} s ${String(entry.calls).padStart(6)}× ${(entry.totalMs / entry.calls).toFixed(2).padStart(7)} ms avg ${entry.maxMs.toFixed(0).padStart(5)} ms max ${(entry.paramBytes / entry.calls / 1024).toFixed(0).padStart(5)} KB sent  ${entry.statement}`);
  }
  console.log(`    ${(stats.transactionOverheadMs / 1000).toFixed(1).padStart(7)} s inside transactions outside statements (BEGIN/COMMIT, JS between statements)`);
  console.log(`    ${(stats.statementMs / 1000).toFixed(1).padStart(7)} s all statements = ${(stats.statementMs / processed).toFixed(3)} ms per event`);
}

async function lookupLatency(run) {
  const { sql, runtime, env } = run;
  const added = await topUpProfiles(sql, targetProfiles);
  // What autovacuum would have done by now on a production server (this one runs with it off):
  // statistics, and the hint bits of the rows just written set. Without it, the first read of each
  // row dirties its page, and the lookups measure those writes. The throughput run and the top-up
  // also leave gigabytes of dirty pages: written out now, so the lookups measure reading, not the
  // checkpointer flushing the load underneath them.
  await sql`vacuum (analyze) profiles, identities`;
  await sql`checkpoint`;
  const [graph] = await sql`select (select count(*)::int from profiles where merged_into is null) as live_profiles, (select count(*)::int from identities) as identities`;
  console.log(`\nLookup latency (${graph.live_profiles} live profiles, ${graph.identities} identities${added ? `, ${added} synthetic profiles added` : ''})`);
  const emails = (await sql`select value from identities where type = 'email' order by random() limit ${lookups + 200}`).map((row) => row.value);
  const warm = emails.splice(0, 200);
  const profiles = runtime.identity.profiles;
  for (const email of warm) await profiles.lookup(`email:${email}`);
  const inProcess = [];
  for (const email of emails) {
    const started = performance.now();
    const profile = await profiles.lookup(`email:${email}`);
    inProcess.push(performance.now() - started);
    if (!profile.identities.some((identity) => identity.type === 'email' && identity.value === email)) throw new Error(`lookup of ${email} answered ${profile.id}, which does not hold it`);
  }
  const service = percentiles(inProcess);
  report('ProfileService.lookup(email) p50', service.p50, 'ms', `${service.n} sequential lookups`, 3);
  report('ProfileService.lookup(email) p95', service.p95, 'ms', '', 3);
  report('ProfileService.lookup(email) p99', service.p99, 'ms', 'target < 5 ms', 3);
  report('ProfileService.lookup(email) max', service.max, 'ms', '', 3);

  const port = await freePort();
  const server = await startChild('weft-server.js', { ...env, WEFT_PORT: String(port), WEFT_HOST: '127.0.0.1', WEFT_ROLE: 'api', BENCH_SERVED_TIMES: '1' });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { authorization: `Bearer ${env.WEFT_ADMIN_TOKEN}` };
  const request = (email) =>
    new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: `/api/v1/profiles?identifier=${encodeURIComponent(`email:${email}`)}`, agent, headers }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`GET /api/v1/profiles answered ${response.statusCode}: ${body}`))));
      }).on('error', reject);
    });
  let http;
  let inServer;
  try {
    for (const email of warm) await request(email);
    const overHttp = [];
    for (const email of emails) {
      const started = performance.now();
      const body = await request(email);
      overHttp.push(performance.now() - started);
      if (!body.includes(email)) throw new Error(`GET /api/v1/profiles for ${email} answered a profile without it`);
    }
    http = percentiles(overHttp);
    report('GET /api/v1/profiles?identifier=email:… p50', http.p50, 'ms', `${http.n} sequential requests, keep-alive`, 3);
    report('GET /api/v1/profiles?identifier=email:… p95', http.p95, 'ms', '', 3);
    report('GET /api/v1/profiles?identifier=email:… p99', http.p99, 'ms', 'target < 5 ms', 3);
    report('GET /api/v1/profiles?identifier=email:… max', http.max, 'ms', '', 3);
  } finally {
    agent.destroy();
    const output = await server.stop();
    // The same requests timed inside the server process: what Weft itself adds, without the
    // client's own time and the scheduling of three processes (client, server, database) on this machine.
    const times = JSON.parse(/^SERVED (.*)$/m.exec(output)?.[1] ?? '[]').slice(warm.length);
    if (http && times.length === http.n) {
      inServer = percentiles(times);
      report('  the same, timed inside the server: p50', inServer.p50, 'ms', 'request parsed to response written', 3);
      report('  the same, timed inside the server: p99', inServer.p99, 'ms', '', 3);
    }
  }
  return { graph, syntheticProfiles: added, service, http, inServer };
}

function summarise(run, note) {
  const { counts } = run;
  report(`identify throughput, batch ${run.batchSize}`, run.rate, 'events/s', `${note}; 1 worker, ${concurrency} batches in flight, ${run.processed} events in ${seconds(run.workMs)}`);
  return {
    events: run.total,
    batchSize: run.batchSize,
    loadSeconds: run.loadMs / 1000,
    kinds: run.kinds,
    workSeconds: run.workMs / 1000,
    eventsPerSecond: run.rate,
    eventsPerSecondByTenth: run.tenths,
    batches: run.batches,
    batchMs: run.batch,
    counts,
    autovacuumStandIn: run.maintenance,
    cpu: run.cpu,
    statements: run.timer.stats(),
  };
}

/** V8's sampling profiler on this process (the worker), from now until `stop()`. */
async function startProfiler() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}

/** CPU time of the whole machine so far (from /proc/stat, in clock ticks): busy, total, and the core count. */
function machineCpu() {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n');
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total, cores: readFileSync('/proc/stat', 'utf8').split('\n').filter((row) => /^cpu\d/.test(row)).length };
}

// Ctrl-C drops the databases this run made.
const cleanups = new Set();
process.once('SIGINT', async () => {
  console.log('\ninterrupted: dropping the benchmark databases');
  for (const cleanup of [...cleanups]) await cleanup().catch(() => undefined);
  process.exit(130);
});

console.log(`Weft identity benchmark — ${new Date().toISOString()}${args.autovacuum ? '' : ' (no autovacuum stand-in)'}`);
results.server = await serverSettings();
console.log(`  ${results.server}`);
results.sweep = [];
if (sweepEvents > 0 && sweepSizes.length > 0) {
  console.log(`\nBatch size sweep: ${sweepEvents} identify events each, fresh database, 1 worker, ${concurrency} batches in flight`);
  for (const batchSize of sweepSizes) {
    const run = await identifyRun({ total: sweepEvents, batchSize, label: `sweep ${batchSize}` });
    try {
      results.sweep.push(summarise(run, `${sweepEvents} events`));
    } finally {
      await run.runtime.close();
      await run.cleanup();
    }
  }
  const best = results.sweep.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
  report('best batch size in the sweep', best.batchSize, 'events', `${Math.round(best.eventsPerSecond)} events/s`);
}

console.log(`\nIdentify throughput: ${totalEvents} identify events${repeat ? ` (${Math.round(repeat * 100)} % repeat identifies of known people on known devices)` : ''}, batch ${mainBatch}, 1 worker with ${concurrency} batches in flight (target ≥ 10000 events/s)`);
const main = await identifyRun({ total: totalEvents, batchSize: mainBatch, label: 'main' });
try {
  results.identify = summarise(main, `${totalEvents} events`);
  const { counts, batch } = main;
  report('events per second by tenth of the run (first)', main.tenths[0] ?? 0, 'events/s', `then ${main.tenths.slice(1).join(', ')}`);
  report('CPU: the worker process', main.cpu.workerCores * 100, '% of a core', `machine ${Math.round(main.cpu.machineBusy * 100)} % busy over ${main.cpu.cores} cores (worker, database, vacuum)`);
  const { perEvent } = main.cpu;
  report('CPU per event: the worker process', perEvent.worker, 'core-ms', `one worker process alone tops out near ${Math.round(1000 / perEvent.worker)} events/s`, 3);
  report('CPU per event: its database server processes', perEvent.database, 'core-ms', `${perEvent.backends} connections`, 3);
  report('CPU per event: the autovacuum stand-in', perEvent.vacuum, 'core-ms', '', 3);
  report('events processed, deferred to a later batch', main.processed - totalEvents, 'events', 'another batch in flight held their identifiers');
  report('batch duration p50', batch.p50, 'ms', `p95 ${batch.p95.toFixed(0)} ms, p99 ${batch.p99.toFixed(0)} ms, max ${batch.max.toFixed(0)} ms`);
  report('profiles', counts.profiles, 'rows', `${counts.live_profiles} live, ${counts.profiles - counts.live_profiles} merged away`);
  report('identities', counts.identities, 'rows', `${counts.links} links`);
  report('merges (identity_ledger kind = merged)', counts.merges, 'rows', `${counts.linked} linked, ${counts.conflicts} conflicts`);
  report('events resolved to a profile (profile_events)', counts.profile_events, 'rows', `${counts.done_events} events done, ${counts.not_done_events} not`);
  printStatements(results.identify.statements, main.processed, main.workMs);
  if (main.maintenance) console.log(`    autovacuum stand-in: ${main.maintenance.vacuum} vacuum analyze + ${main.maintenance.analyze} analyze runs, ${seconds(main.maintenance.ms)} (concurrent with the worker)${main.maintenance.cpuSeconds ? `, ${main.maintenance.cpuSeconds.toFixed(1)} s of CPU` : ''}`);
  results.identify.statements.statements = results.identify.statements.statements.slice(0, 25);
  for (const entry of results.sweep) entry.statements.statements = entry.statements.statements.slice(0, 10);
  if (args.floor) {
    const before = machineCpu();
    const floor = await measureWriteFloor(main.database.url, { chunks: main.batches, concurrency });
    const after = machineCpu();
    floor.machineBusy = (after.busy - before.busy) / (after.total - before.total);
    const rate = totalEvents / (floor.ms / 1000);
    report('write floor: the same rows, INSERT … SELECT', rate, 'events/s', `${Object.entries(floor.rows).map(([table, n]) => `${table} ${n}`).join(', ')}; ${main.batches} chunks, ${concurrency} at once; machine ${Math.round(floor.machineBusy * 100)} % busy`);
    const spentMs = Object.values(floor.spent).reduce((sum, ms) => sum + ms, 0);
    console.log(`    the floor's statements by table (wall time, ${concurrency} at once): ${Object.entries(floor.spent).sort((a, b) => b[1] - a[1]).map(([table, ms]) => `${table} ${Math.round((ms / spentMs) * 100)} %`).join(', ')}`);
    report('identity stage against its write floor', (main.rate / rate) * 100, '%', 'the floor is an upper bound on this machine');
    // CPU of the whole machine per event (worker, server, vacuum): 10,000 events/s on this machine leave 0.2 ms.
    const coreMs = (busy, ms) => (busy * main.cpu.cores * ms) / totalEvents;
    report('machine CPU per event: identity stage', coreMs(main.cpu.machineBusy, main.workMs), 'core-ms', `${main.cpu.cores} cores; at 10000 events/s there are ${(main.cpu.cores / 10).toFixed(2)}`, 3);
    report('machine CPU per event: write floor', coreMs(floor.machineBusy, floor.ms), 'core-ms', 'the rows alone, no logic, no client', 3);
    results.identify.writeFloor = { ...floor, eventsPerSecond: rate };
  }
  if (lookups > 0) results.lookups = await lookupLatency(main);
} finally {
  await main.runtime.close();
  await main.cleanup();
}

const totalMs = performance.now() - runStarted;
report('whole benchmark run', totalMs / 1000, 's', '', 1);
results.figures = figures;
results.totalSeconds = totalMs / 1000;
mkdirSync(new URL('./results', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/identity.json', import.meta.url), JSON.stringify(results, null, 2));
console.log('\nFigures written to bench/results/identity.json');
