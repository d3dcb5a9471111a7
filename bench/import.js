// `weft import` benchmark: a generated CSV imported with the real CLI into a server on a fresh
// PostgreSQL database; then the same file again, killed with SIGKILL midway and resumed.
//   node bench/import.js --rows 1000000
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { freePort, startChild } from './lib/processes.js';
import { createDatabase, prepareWeft } from './lib/setup.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'batch-size': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    // A small heap for the CLI: the import has to fit in it whatever the file size.
    'max-old-space-mb': { type: 'string', default: '64' },
  },
});
const rows = Number(args.rows);
const cliEntry = fileURLToPath(new URL('../cli/bin/run.js', import.meta.url));

function report(name, value, unit, note = '') {
  console.log(`  ${name.padEnd(52)} ${String(Math.round(value)).padStart(9)} ${unit}${note ? `  (${note})` : ''}`);
}

async function writeCsv(file, count) {
  const out = createWriteStream(file);
  out.write('userId,event,email,plan,amount,timestamp\n');
  const start = Date.parse('2025-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const line = `u${i % 50_000},Order Completed,user${i % 50_000}@example.com,${i % 3 === 0 ? 'pro' : 'free'},${(i % 1000) / 10},${new Date(start + i * 1000).toISOString()}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Peak RSS of a running process, read from /proc while it lives (VmHWM is its high-water mark). */
function watchPeakMemory(pid) {
  let peakKb = 0;
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // The process has exited; the last sample stands.
    }
  };
  const timer = setInterval(sample, 100);
  return { stop: () => (clearInterval(timer), sample(), peakKb / 1024) };
}

/** Runs `weft import` as a child; `killWhen(checkpoint)` may ask for a SIGKILL midway. */
async function runImport({ file, source, env, url, killWhen }) {
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${args['max-old-space-mb']}`, cliEntry, 'import', file, '--source', source, '--batch-size', args['batch-size'], '--concurrency', args.concurrency, '--json'],
    { env: { ...process.env, WEFT_URL: url, WEFT_WRITE_KEY: env.writeKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const memory = watchPeakMemory(child.pid);
  const started = Date.now();
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let killedAt;
  if (killWhen) {
    const checkpointFile = `${file}.weft-import.json`;
    while (child.exitCode === null) {
      const checkpoint = existsSync(checkpointFile) ? JSON.parse(readFileSync(checkpointFile, 'utf8')) : undefined;
      if (checkpoint && killWhen(checkpoint)) {
        child.kill('SIGKILL');
        killedAt = checkpoint.line;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const { code, signal } = await exited;
  const seconds = (Date.now() - started) / 1000;
  const peakMb = memory.stop();
  if (killWhen && killedAt === undefined) throw new Error('the import finished before it could be killed; use more --rows');
  if (!killWhen && code !== 0) throw new Error(`weft import exited with ${code ?? signal}:\n${stdout}\n${stderr}`);
  return { seconds, peakMb, killedAt, summary: code === 0 ? JSON.parse(stdout) : undefined };
}

async function storedCounts(databaseUrl, source) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select count(*)::int as events, count(distinct message_id)::int as distinct_ids from events where source_id = ${source}`;
    return row;
  } finally {
    await sql.end();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'weft-bench-import-'));
const database = await createDatabase();
let server;
try {
  console.log(`weft import benchmark — ${new Date().toISOString()}, ${rows} rows, batches of ${args['batch-size']}, ${args.concurrency} in flight, CLI heap limit ${args['max-old-space-mb']} MB`);
  const file = join(dir, 'orders.csv');
  const generated = Date.now();
  await writeCsv(file, rows);
  const fileMb = statSync(file).size / 1024 / 1024;
  console.log(`  generated ${file}: ${fileMb.toFixed(0)} MB in ${((Date.now() - generated) / 1000).toFixed(1)} s`);

  const sources = ['bench-import', 'bench-import-crash'];
  const writeKeys = {};
  const weft = await prepareWeft({
    databaseUrl: database.url,
    configure: async (runtime) => {
      for (const id of sources) writeKeys[id] = (await runtime.connectors.create({ id, plugin: 'web-sdk', component: 'source' })).writeKey;
      return {};
    },
  });
  const port = await freePort();
  server = await startChild('weft-server.js', { ...weft.env, WEFT_PORT: String(port), WEFT_HOST: '127.0.0.1', WEFT_ROLE: 'api' });
  const url = `http://127.0.0.1:${port}`;

  console.log('\nOne run, start to end (PostgreSQL 127.0.0.1:5432, server role api)');
  const full = await runImport({ file, source: 'bench-import', env: { writeKey: writeKeys['bench-import'] }, url });
  report('weft import: CSV → /v1/batch → PostgreSQL', rows / full.seconds, 'rows/s', `${full.seconds.toFixed(1)} s for ${fileMb.toFixed(0)} MB`);
  report('weft import: CLI peak memory (VmHWM)', full.peakMb, 'MB', 'RSS high-water mark of the CLI process');
  const stored = await storedCounts(database.url, 'bench-import');
  report('events stored', stored.events, 'events', `${stored.distinct_ids} distinct messageIds`);
  if (stored.events !== rows || stored.distinct_ids !== rows) throw new Error(`expected exactly ${rows} events, found ${stored.events} (${stored.distinct_ids} distinct)`);

  console.log('\nKilled with SIGKILL at about 40 %, then resumed');
  rmSync(`${file}.weft-import.json`);
  const crashed = await runImport({ file, source: 'bench-import-crash', env: { writeKey: writeKeys['bench-import-crash'] }, url, killWhen: (checkpoint) => checkpoint.line > rows * 0.4 });
  const beforeResume = await storedCounts(database.url, 'bench-import-crash');
  report('killed: checkpoint line / events already stored', crashed.killedAt, 'line', `${beforeResume.events} events stored, so ${beforeResume.events - crashed.killedAt + 1} sent after the checkpoint`);
  const resumed = await runImport({ file, source: 'bench-import-crash', env: { writeKey: writeKeys['bench-import-crash'] }, url });
  report('resumed: rows/s over the rest', (rows - crashed.killedAt + 1) / resumed.seconds, 'rows/s', `${resumed.seconds.toFixed(1)} s, resumed after line ${resumed.summary.resumedAfterLine}`);
  report('resumed: CLI peak memory (VmHWM)', resumed.peakMb, 'MB');
  const afterResume = await storedCounts(database.url, 'bench-import-crash');
  report('events stored after the resume', afterResume.events, 'events', `${afterResume.distinct_ids} distinct messageIds`);
  if (afterResume.events !== rows || afterResume.distinct_ids !== rows) throw new Error(`expected exactly ${rows} events after the resume, found ${afterResume.events}`);
  console.log(`\n  OK: each of the ${rows} rows stored exactly once, with and without a crash.`);
} finally {
  await server?.stop();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
}
