// Fault tests: real PostgreSQL, real `weft start` processes (API and worker apart), a real HTTP receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSink } from './support/sink.js';
import { runCli, startWeftProcess, waitFor, type WeftProcess } from './support/weft-process.js';
import { createWeftEnvironment, sendBatch, trackEvents } from './support/weft-env.js';

type Environment = Awaited<ReturnType<typeof createWeftEnvironment>>;
type Sink = Awaited<ReturnType<typeof startSink>>;

const portOf = (api: WeftProcess) => Number(/"port":(\d+)/.exec(api.output())?.[1]);
const fastRetries = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 400 };

interface DeliveryRow {
  status: string;
  attempts: number;
  lastError: string | null;
  history: Array<{ outcome: string; nextAttemptAt?: string; error?: string }>;
}

function parseDeliveries(stdout: string): DeliveryRow[] {
  const parsed = JSON.parse(stdout) as DeliveryRow[] | { deliveries: DeliveryRow[] };
  return Array.isArray(parsed) ? parsed : parsed.deliveries;
}

describe('a worker killed with SIGKILL in the middle of deliveries', () => {
  let environment: Environment;
  let sink: Sink;
  let api: WeftProcess;
  const workers: WeftProcess[] = [];
  let writeKey: string;

  beforeAll(async () => {
    environment = await createWeftEnvironment();
    // A slow receiver, so the kill lands while most deliveries are still queued.
    sink = await startSink(() => ({ status: 200, delayMs: 15 }));
    writeKey = await environment.configure(async (runtime) => {
      const { writeKey: key } = await runtime.connectors.create({ id: 'shop', plugin: 'web-sdk', component: 'source' });
      await runtime.connectors.create({
        id: 'crm-hook',
        plugin: 'webhook',
        component: 'destination',
        config: { url: sink.url, signingSecret: 'kill-test-secret' },
        settings: { retry: fastRetries, concurrency: 2, timeoutMs: 2_000, actions: { send: { maxItems: 10 } } },
      });
      await runtime.pipelines.create('orders', { spec: { sources: ['shop'], destinations: ['crm-hook'] } });
      return key!;
    });
    api = await startWeftProcess(['--role', 'api', '--port', '0'], environment.env);
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await api?.stop();
    await sink?.close();
    await environment?.cleanup();
  });

  it('delivers every acknowledged event after a restart', async () => {
    const total = 2_000;
    const baseUrl = `http://127.0.0.1:${portOf(api)}`;
    for (let offset = 0; offset < total; offset += 250) await sendBatch(baseUrl, writeKey, trackEvents('kill', 250, offset));

    workers.push(await startWeftProcess(['--role', 'worker'], environment.env));
    await waitFor('the first deliveries', () => sink.delivered.size >= 200);
    await workers[0]!.kill();
    expect(sink.delivered.size).toBeLessThan(total);

    workers.push(await startWeftProcess(['--role', 'worker'], environment.env));
    await waitFor('every acknowledged event at the receiver', () => sink.delivered.size === total, 90_000);
    const expected = trackEvents('kill', total).map((event) => event.messageId);
    expect(expected.filter((id) => !sink.delivered.has(id))).toEqual([]);
  });
});

describe('destinations that fail', () => {
  let environment: Environment;
  let api: WeftProcess;
  let worker: WeftProcess;
  let baseUrl: string;
  const sinks: Record<string, Sink> = {};
  const keys: Record<string, string> = {};
  const cli = (...args: string[]) => runCli([...args, '--url', baseUrl, '--token', environment.adminToken], {});

  beforeAll(async () => {
    environment = await createWeftEnvironment();
    sinks.flaky = await startSink((index) => ({ status: index < 3 ? 500 : 200 }));
    sinks.limited = await startSink((index) => (index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    sinks.rejecting = await startSink(() => ({ status: 400 }));
    sinks.hanging = await startSink(() => 'hang');
    sinks.healthy = await startSink(() => ({ status: 200 }));
    await environment.configure(async (runtime) => {
      const destination = (id: string, sink: Sink, settings: Record<string, unknown> = {}) =>
        runtime.connectors.create({ id, plugin: 'webhook', component: 'destination', config: { url: sink.url, signingSecret: `${id}-secret` }, settings: { retry: fastRetries, ...settings } });
      await destination('flaky', sinks.flaky!);
      await destination('limited', sinks.limited!);
      await destination('rejecting', sinks.rejecting!);
      await destination('hanging', sinks.hanging!, { timeoutMs: 120_000, concurrency: 2 });
      await destination('healthy', sinks.healthy!);
      for (const [source, destinations] of Object.entries({ 'src-flaky': ['flaky'], 'src-limited': ['limited'], 'src-rejecting': ['rejecting'], 'src-pair': ['hanging', 'healthy'] })) {
        keys[source] = (await runtime.connectors.create({ id: source, plugin: 'web-sdk', component: 'source' })).writeKey!;
        await runtime.pipelines.create(source.replace('src-', 'p-'), { spec: { sources: [source], destinations } });
      }
    });
    api = await startWeftProcess(['--role', 'api', '--port', '0'], environment.env);
    worker = await startWeftProcess(['--role', 'worker'], environment.env);
    baseUrl = `http://127.0.0.1:${portOf(api)}`;
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await Promise.all(Object.values(sinks).map((sink) => sink.close()));
    await environment?.cleanup();
  });

  it('delivers after a destination recovers from 500s, with the retry schedule in `weft deliveries list`', async () => {
    await sendBatch(baseUrl, keys['src-flaky']!, trackEvents('flaky', 5));
    await waitFor('delivery after recovery', () => sinks.flaky!.delivered.size === 5);
    const listed = await cli('deliveries', 'list', '--connector', 'flaky', '--json');
    expect(listed.code).toBe(0);
    const deliveries = parseDeliveries(listed.stdout);
    expect(deliveries.map((d) => d.status)).toEqual(Array(5).fill('delivered'));
    expect(sinks.flaky!.requests.filter((request) => request.messageIds.length > 0)).toHaveLength(sinks.flaky!.requests.length);
    for (const delivery of deliveries) {
      // Three 500s in a row went to whichever batches were first; each one was retried until it got through.
      expect(delivery.attempts).toBeGreaterThanOrEqual(2);
      const retries = delivery.history.filter((attempt) => attempt.outcome === 'retry');
      expect(retries).toHaveLength(delivery.attempts - 1);
      expect(retries.every((attempt) => attempt.nextAttemptAt && attempt.error?.includes('500'))).toBe(true);
    }
  });

  it('waits at least as long as Retry-After says after a 429', async () => {
    await sendBatch(baseUrl, keys['src-limited']!, trackEvents('limited', 3));
    await waitFor('delivery after the rate limit', () => sinks.limited!.delivered.size === 3);
    const [first, second] = sinks.limited!.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2_000);
  });

  it('dead-letters what a destination rejects with 400, and replays it once the destination is fixed', async () => {
    await sendBatch(baseUrl, keys['src-rejecting']!, trackEvents('rejected', 4));
    const dead = await waitFor('dead letters', async () => {
      const listed = await cli('deliveries', 'list', '--connector', 'rejecting', '--status', 'dead', '--json');
      const rows = listed.code === 0 ? parseDeliveries(listed.stdout) : [];
      return rows.length === 4 ? rows : undefined;
    });
    expect(dead.every((row) => row.attempts === 1 && row.lastError?.includes('400'))).toBe(true);

    sinks.rejecting!.setBehaviour(() => ({ status: 200 }));
    const replay = await cli('deliveries', 'replay', '--connector', 'rejecting', '--json');
    expect(replay.code).toBe(0);
    await waitFor('replayed deliveries', () => sinks.rejecting!.delivered.size === 4);
  });

  it('keeps delivering to a healthy destination while another one hangs', async () => {
    await sendBatch(baseUrl, keys['src-pair']!, trackEvents('pair', 300));
    await waitFor('every event at the healthy destination', () => sinks.healthy!.delivered.size === 300);
    // The hanging receiver has calls open and has acknowledged nothing, yet the other one is done.
    expect(sinks.hanging!.requests.length).toBeGreaterThan(0);
    expect(sinks.hanging!.delivered.size).toBe(0);
  });
});
