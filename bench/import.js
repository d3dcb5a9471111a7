// `weft import` benchmark: a generated CSV imported with the real CLI into a server on a fresh
// PostgreSQL database; then the same file again, killed with SIGKILL midway and resumed.
//   node bench/import.js --rows 1000000
//   node bench/import.js --gb 5 --row-bytes 1000 --no-crash   # constant memory on a 5 GB file
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { benchArgs } from './lib/args.js';
import { freePort, startChild } from './lib/processes.js';
import { createDatabase, prepareWeft } from './lib/setup.js';

const args = benchArgs('node bench/import.js', {
  rows: { type: 'string', default: '1000000', number: true, description: 'rows of the generated CSV file' },
  gb: { type: 'string', number: true, description: 'instead of --rows: a file of about this many GiB (rows of --row-bytes each)' },
  'row-bytes': { type: 'string', default: '0', number: true, description: 'pad each row to about this many bytes with a free-text note column (0: no padding)' },
  crash: { type: 'boolean', default: true, description: 'also import the file again, killed midway with SIGKILL and resumed' },
  'batch-size': { type: 'string', default: '1000', number: true, description: 'rows per batch of weft import' },
  concurrency: { type: 'string', default: '4', number: true, description: 'batches weft import has in flight' },
  'max-old-space-mb': { type: 'string', default: '64', number: true, description: "the CLI's heap: the import has to fit in it whatever the file size" },
});
const rowBytes = Number(args['row-bytes']);
const rows = args.gb ? Math.ceil((Number(args.gb) * 1024 ** 3) / Math.max(rowBytes, 100)) : Number(args.rows);
const cliEntry = fileURLToPath(new URL('../cli/bin/run.js', import.meta.url));

function report(name, value, unit, note = '') {
  console.log(`  ${name.padEnd(52)} ${String(Math.round(value)).padStart(9)} ${unit}${note ? `  (${note})` : ''}`);
}

async function writeCsv(file, count) {
  const out = createWriteStream(file);
  out.write(`userId,event,email,plan,amount,timestamp${rowBytes ? ',note' : ''}\n`);
  const start = Date.parse('2025-01-01T00:00:00Z');
  const words = 'delivered to the side door, call before arriving; gift wrap requested for order '.repeat(Math.ceil(rowBytes / 80) + 1);
  for (let i = 0; i < count; i++) {
    let line = `u${i % 50_000},Order Completed,user${i % 50_000}@example.com,${i % 3 === 0 ? 'pro' : 'free'},${(i % 1000) / 10},${new Date(start + i * 1000).toISOString()}`;
    if (rowBytes) line += `,"${i} ${words.slice(0, Math.max(0, rowBytes - line.length - 12))}"`;
    line += '\n';
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Peak RSS of a running process, read from /proc while it lives (VmHWM is its high-water mark),
 * and its RSS once a second with the line its checkpoint had reached then.
 */
function watchMemory(pid, checkpointFile) {
  let peakKb = 0;
  const timeline = [];
  let lastTimelineAt = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const peak = /VmHWM:\s+(\d+) kB/.exec(status);
      if (peak) peakKb = Math.max(peakKb, Number(peak[1]));
      const rss = /VmRSS:\s+(\d+) kB/.exec(status);
      if (rss && Date.now() - lastTimelineAt >= 1000 && existsSync(checkpointFile)) {
        lastTimelineAt = Date.now();
        timeline.push({ line: JSON.parse(readFileSync(checkpointFile, 'utf8')).line, rssMb: Number(rss[1]) / 1024 });
      }
    } catch {
      // The process has exited (or the checkpoint is being replaced); the last sample stands.
    }
  };
  const timer = setInterval(sample, 100);
  return { stop: () => (clearInterval(timer), sample(), { peakMb: peakKb / 1024, timeline }) };
}

/** RSS when the import had passed each tenth of the file. */
function rssByTenth(timeline, total) {
  const marks = [];
  for (let tenth = 1; tenth <= 10; tenth++) {
    const sample = timeline.find((entry) => entry.line >= (tenth * total) / 10) ?? (tenth === 10 ? timeline.at(-1) : undefined);
    if (sample) marks.push(`${tenth * 10} %: ${sample.rssMb.toFixed(0)}`);
  }
  return marks.join(', ');
}

/** Runs `weft import` as a child; `killWhen(checkpoint)` may ask for a SIGKILL midway. */
async function runImport({ file, source, env, url, killWhen }) {
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${args['max-old-space-mb']}`, cliEntry, 'import', file, '--source', source, '--batch-size', String(args['batch-size']), '--concurrency', String(args.concurrency), '--json'],
    { env: { ...process.env, WEFT_URL: url, WEFT_WRITE_KEY: env.writeKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const memory = watchMemory(child.pid, `${file}.weft-import.json`);
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
  const { peakMb, timeline } = memory.stop();
  if (killWhen && killedAt === undefined) throw new Error('the import finished before it could be killed; use more --rows');
  if (!killWhen && code !== 0) throw new Error(`weft import exited with ${code ?? signal}:\n${stdout}\n${stderr}`);
  return { seconds, peakMb, timeline, killedAt, summary: code === 0 ? JSON.parse(stdout) : undefined };
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
  console.log(`  CLI RSS (MB) as the import passed each tenth of the file: ${rssByTenth(full.timeline, rows)}`);
  const stored = await storedCounts(database.url, 'bench-import');
  report('events stored', stored.events, 'events', `${stored.distinct_ids} distinct messageIds`);
  if (stored.events !== rows || stored.distinct_ids !== rows) throw new Error(`expected exactly ${rows} events, found ${stored.events} (${stored.distinct_ids} distinct)`);

  if (!args.crash) {
    console.log(`\n  OK: each of the ${rows} rows stored exactly once (the crash-and-resume run is skipped: --no-crash).`);
  } else {
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
  }
} finally {
  await server?.stop();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
}
