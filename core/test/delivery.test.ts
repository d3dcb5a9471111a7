import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeScript, type FakeServer } from '@weft/plugin-sdk/testing';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { DeliveryManager } from '../src/delivery/manager.js';
import type { ConnectorSettingsInput } from '../src/connectors/settings.js';
import { replayDeadLetters } from '../src/http/admin/deliveries.js';
import { createEngineRuntime, createSecondRuntime, deliveryRows, trackEvent, waitUntil, type EngineTestRuntime } from './engine-support.js';

const quickRetries = { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 50 };

describe('delivery engine', () => {
  let test: EngineTestRuntime;
  let worker: PipelineWorker;
  let manager: DeliveryManager;
  const servers: FakeServer[] = [];
  let next = 0;

  /** A destination connector pointed at a new fake receiver, fed by its own source through its own pipeline. */
  async function destination(script: FakeScript, settings: ConnectorSettingsInput = {}, component = 'http') {
    const receiver = await startFakeServer(script);
    servers.push(receiver);
    const id = `dest-${++next}`;
    await test.runtime.connectors.create({ id, plugin: 'engine-test', component, config: { url: `${receiver.url}/in` }, settings: { retry: quickRetries, ...settings } });
    await test.runtime.connectors.create({ id: `src-${next}`, plugin: 'engine-test', component: 'source' });
    await test.runtime.pipelines.create(`p-${next}`, { spec: { sources: [`src-${next}`], destinations: [{ connector: id, actions: ['send'] }] } });
    await manager.refresh();
    const source = `src-${next}`;
    const send = (count: number) => test.ingest.write(source, Array.from({ length: count }, () => trackEvent()));
    return { id, receiver, send };
  }

  const rows = (id: string) => deliveryRows(test, id);
  const settled = (id: string, count: number) => async () => {
    const list = await rows(id);
    return list.length === count && list.every((row) => row.status !== 'pending') ? list : undefined;
  };

  beforeAll(async () => {
    test = await createEngineRuntime();
    worker = new PipelineWorker(test.runtime);
    manager = new DeliveryManager(test.runtime);
    worker.start();
    manager.start();
  });

  afterAll(async () => {
    // Closing the receivers first ends the hanging call, so the manager can stop at once.
    await Promise.all(servers.map((server) => server.close()));
    await manager.stop();
    await worker.stop();
    await test.cleanup();
  });

  it('retries after 500s and delivers once the destination recovers, recording every attempt', async () => {
    const { id, receiver, send } = await destination([{ status: 500 }, { status: 500 }, { status: 200 }]);
    await send(1);
    const [row] = await waitUntil('delivery', settled(id, 1));
    expect(receiver.requests).toHaveLength(3);
    expect(row!.status).toBe('delivered');
    expect(row!.attempts).toBe(3);
    expect(row!.history.map((attempt) => attempt.outcome)).toEqual(['retry', 'retry', 'ok']);
    expect(row!.history[0]!.error).toContain('500');
    expect(row!.history[0]!.nextAttemptAt).toBeDefined();
  });

  it('waits at least the Retry-After of a 429 before trying again', async () => {
    const { id, receiver, send } = await destination([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    const before = Date.now();
    await send(1);
    const [row] = await waitUntil('delivery after the rate limit', settled(id, 1));
    expect(row!.status).toBe('delivered');
    const retry = row!.history[0]!;
    expect(Date.parse(retry.nextAttemptAt!) - Date.parse(retry.at)).toBeGreaterThanOrEqual(1_000);
    expect(receiver.requests).toHaveLength(2);
    expect(Date.now() - before).toBeGreaterThanOrEqual(1_000);
  });

  it('dead-letters what the destination rejects with 400, with the reason', async () => {
    const { id, receiver, send } = await destination({ status: 400, json: { error: 'email is invalid' } });
    await send(2);
    const list = await waitUntil('dead letters', settled(id, 2));
    expect(list.map((row) => row.status)).toEqual(['dead', 'dead']);
    expect(list[0]!.last_error).toContain('email is invalid');
    expect(receiver.requests).toHaveLength(1);
  });

  it('gives up after maxAttempts and keeps the last error', async () => {
    const { id, send } = await destination({ status: 503 }, { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
    await send(1);
    const [row] = await waitUntil('giving up', settled(id, 1));
    expect(row).toMatchObject({ status: 'dead', attempts: 3 });
    expect(row!.last_error).toMatch(/^gave up after 3 attempts: .*503/);
  });

  it('pauses the connector on an auth error, says why, and keeps its deliveries', async () => {
    const { id, receiver, send } = await destination({ status: 401, json: { message: 'token expired' } });
    await send(2);
    const connector = await waitUntil('the pause', async () => {
      const view = await test.runtime.connectors.view(id);
      return view.status === 'paused' ? view : undefined;
    });
    expect(connector.statusReason).toContain('401');
    const list = await rows(id);
    expect(list.map((row) => [row.status, row.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);

    // Fixed credentials, re-enabled: the kept deliveries go out.
    receiver.respond({ status: 200 });
    await test.runtime.connectors.setEnabled(id, true);
    await manager.refresh();
    const delivered = await waitUntil('delivery after resuming', settled(id, 2));
    expect(delivered.map((row) => row.status)).toEqual(['delivered', 'delivered']);
  });

  it('fails only the items a batch call refused', async () => {
    const { id, send } = await destination({ status: 200, json: { failed: [1] } });
    await send(3);
    const list = await waitUntil('per-item outcomes', settled(id, 3));
    expect(list.map((row) => row.status)).toEqual(['delivered', 'dead', 'delivered']);
    expect(list[1]!.last_error).toBe('receiver refused item 1');
  });

  it("batches no more items than the connector's maxItems", async () => {
    const { id, receiver, send } = await destination({ status: 200 }, { actions: { send: { maxItems: 2 } } });
    await send(5);
    await waitUntil('delivery', settled(id, 5));
    const sizes = receiver.requests.map((request) => (request.json as { batch: unknown[] }).batch.length);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
  });

  it('keeps delivering to one destination while another one hangs', async () => {
    const hanging = await destination({ hang: true }, { concurrency: 1, timeoutMs: 60_000 });
    const healthy = await destination({ status: 200 });
    await hanging.send(5);
    await hanging.receiver.waitForRequests(1);
    await healthy.send(20);
    await waitUntil('the healthy destination', settled(healthy.id, 20));
    // The hanging call is still open: nothing of that destination got through, nothing else was held up.
    expect(hanging.receiver.requests).toHaveLength(1);
    expect((await rows(hanging.id)).every((row) => row.status === 'pending')).toBe(true);
    // Cutting the connection ends the call: its items are retried, not lost.
    hanging.receiver.respond({ status: 200 });
    await hanging.receiver.close();
    const [retried] = await waitUntil('the cut call to be recorded', async () => ((await rows(hanging.id))[0]?.history.length ? rows(hanging.id) : undefined));
    expect(retried!.history[0]!.outcome).toBe('retry');
  });

  it('never delivers a row twice when two managers share the database', async () => {
    const { id, receiver, send } = await destination({ status: 200 }, { actions: { send: { maxItems: 3 } } });
    // A second Weft process: its own runtime and, on PostgreSQL, its own connections.
    const other = await createSecondRuntime(test);
    const second = new DeliveryManager(other.runtime);
    second.start();
    try {
      await send(60);
      await waitUntil('delivery', settled(id, 60));
      const keys = receiver.requests.flatMap((request) => request.headers['idempotency-key']!.split(','));
      expect(keys).toHaveLength(60);
      expect(new Set(keys).size).toBe(60);
    } finally {
      await second.stop();
      await other.close();
    }
  });

  it('delivers one event to every destination of its pipeline', async () => {
    const first = await destination({ status: 200 });
    const second = await destination({ status: 200 });
    await test.runtime.connectors.create({ id: 'fan-src', plugin: 'engine-test', component: 'source' });
    await test.runtime.pipelines.create('fan-out', { spec: { sources: ['fan-src'], destinations: [first.id, { connector: second.id, actions: ['send'] }] } });
    const event = trackEvent('Fanned Out');
    await test.ingest.write('fan-src', [event]);
    await Promise.all([first.receiver.waitForRequests(1), second.receiver.waitForRequests(1)]);
    for (const { receiver } of [first, second]) expect((receiver.requests[0]!.json as { batch: Array<{ messageId: string }> }).batch.map((item) => item.messageId)).toEqual([event.messageId]);
  });

  it('delivers a replayed dead letter', async () => {
    const { id, receiver, send } = await destination({ status: 400, json: { error: 'unknown list' } });
    await send(1);
    await waitUntil('the dead letter', settled(id, 1));
    receiver.respond({ status: 200 });
    const replayed = await replayDeadLetters(test.runtime.db, { connector: id, limit: 10, dryRun: false });
    expect(replayed.replayed).toBe(1);
    test.runtime.signals.deliveriesQueued(id);
    const [row] = await waitUntil('delivery after the replay', async () => ((await rows(id))[0]?.status === 'delivered' ? rows(id) : undefined));
    expect(row!.history.map((attempt) => attempt.outcome)).toEqual(['fail', 'replayed', 'ok']);
    expect(row!.attempts).toBe(1);
    expect(receiver.requests).toHaveLength(2);
  });

  it('dead-letters again, without calling the destination, a replayed delivery whose payload was never built', async () => {
    const { id, receiver, send } = await destination({ status: 200 }, { actions: { send: { mapping: 'properties.missing' } } });
    await send(1);
    await waitUntil('the dead letter', settled(id, 1));
    await replayDeadLetters(test.runtime.db, { connector: id, limit: 10, dryRun: false });
    test.runtime.signals.deliveriesQueued(id);
    const [row] = await waitUntil('the second dead letter', async () => ((await rows(id))[0]?.history.length === 3 ? rows(id) : undefined));
    expect(row!.status).toBe('dead');
    expect(row!.history.map((attempt) => attempt.outcome)).toEqual(['fail', 'replayed', 'fail']);
    expect(row!.last_error).toMatch(/^no payload: building it failed when the event was routed/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('holds a partial batch back for more items when the action has maxWaitMs', async () => {
    const { id, receiver, send } = await destination({ status: 200 }, {}, 'collecting');
    await send(2);
    // Both rows are claimed and held back, waiting for two more to fill the batch of four.
    await waitUntil('the partial batch to be claimed', async () => (await rows(id)).filter((row) => row.attempts === 1).length === 2);
    await send(2);
    await waitUntil('delivery', settled(id, 4));
    expect(receiver.requests.map((request) => (request.json as { batch: unknown[] }).batch.length)).toEqual([4]);
  });

  it('gives claimed rows it has not sent back on stop, without spending an attempt', async () => {
    const { id, receiver, send } = await destination({ status: 200 }, {}, 'collecting');
    await send(1);
    await waitUntil('the row to be claimed and held', async () => (await rows(id))[0]?.attempts === 1);
    await manager.stop();
    const [row] = await rows(id);
    expect(row).toMatchObject({ status: 'pending', attempts: 0 });
    expect(new Date(row!.next_attempt_at).getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(receiver.requests).toHaveLength(0);
    manager.start();
  });
});
