import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { claimPendingEvents, commitRouting } from '../src/engine/claims.js';
import { ConnectorCache } from '../src/engine/connector-cache.js';
import { EventRouter } from '../src/engine/router.js';
import { createEngineRuntime, deliveryRows, eventStates, prepareCalls, trackEvent, waitUntil } from './engine-support.js';

describe('pipeline worker', () => {
  let test: Awaited<ReturnType<typeof createEngineRuntime>>;
  let worker: PipelineWorker;

  beforeAll(async () => {
    test = await createEngineRuntime();
    const { connectors } = test.runtime;
    await connectors.create({ id: 'src', plugin: 'engine-test', component: 'source' });
    await connectors.create({ id: 'src-b', plugin: 'engine-test', component: 'source' });
    await connectors.create({ id: 'counted', plugin: 'engine-test', component: 'counted' });
    await connectors.create({ id: 'stamp', plugin: 'engine-test', component: 'stamp' });
    await connectors.create({ id: 'tag-a', plugin: 'engine-test', component: 'tag', config: { label: 'a' } });
    await connectors.create({ id: 'tag-b', plugin: 'engine-test', component: 'tag', config: { label: 'b' } });
    await connectors.create({ id: 'boom', plugin: 'engine-test', component: 'boom' });
    await connectors.create({ id: 'drop', plugin: 'engine-test', component: 'drop' });
    await connectors.create({ id: 'split', plugin: 'engine-test', component: 'split' });
    await connectors.create({ id: 'out-1', plugin: 'engine-test', component: 'http', config: { url: 'http://127.0.0.1:9/never' } });
    await connectors.create({ id: 'out-2', plugin: 'engine-test', component: 'http', config: { url: 'http://127.0.0.1:9/never' } });
    // Re-check connectors on every use, so settings changed by a test apply at once.
    worker = new PipelineWorker(test.runtime, new ConnectorCache(test.runtime, 0));
  });
  afterAll(async () => test.cleanup());

  beforeEach(async () => {
    await test.runtime.database.query(sql`delete from deliveries`);
    await test.runtime.database.query(sql`delete from event_queue`);
    await test.runtime.database.query(sql`delete from events`);
    for (const pipeline of await test.runtime.pipelines.list()) await test.runtime.pipelines.remove(pipeline.id);
  });

  it('runs the transforms in the order the pipeline lists them', async () => {
    await test.runtime.pipelines.create('ordered', { spec: { sources: ['src'], transforms: ['tag-b', 'tag-a'], destinations: ['out-1'] } });
    await test.ingest.write('src', [trackEvent()]);
    await worker.processBatch();
    const [row] = await deliveryRows(test);
    expect(row!.payload.properties).toEqual({ steps: ['b', 'a'] });
    expect((await eventStates(test)).map((event) => event.state)).toEqual(['done']);
  });

  it('gives every pipeline the stored event, whatever transforms of another pipeline changed in place', async () => {
    await test.runtime.pipelines.create('stamped-1', { spec: { sources: ['src'], transforms: ['stamp'], destinations: [{ connector: 'out-1', actions: ['send'] }] } });
    await test.runtime.pipelines.create('stamped-2', { spec: { sources: ['src'], transforms: ['stamp'], destinations: [{ connector: 'out-2', actions: ['send'] }] } });
    await test.ingest.write('src', [trackEvent()]);
    await worker.processBatch();
    expect((await deliveryRows(test)).map((row) => [row.connector_id, row.payload.properties])).toEqual([
      ['out-1', { stamps: 1 }],
      ['out-2', { stamps: 1 }],
    ]);
  });

  it('writes one outbox row per destination action that takes the event type', async () => {
    await test.runtime.pipelines.create('fan-out', { spec: { sources: ['src'], destinations: ['out-1', 'out-2'] } });
    await test.ingest.write('src', [trackEvent(), trackEvent('x', { type: 'identify', event: undefined, traits: { plan: 'pro' } })]);
    await worker.processBatch();
    const rows = await deliveryRows(test);
    // track → send on both; identify → send and identify on both.
    expect(rows.map((row) => `${row.connector_id}/${row.action}`).sort()).toEqual(['out-1/identify', 'out-1/send', 'out-1/send', 'out-2/identify', 'out-2/send', 'out-2/send']);
  });

  it("limits a destination to the pipeline's chosen actions", async () => {
    await test.runtime.pipelines.create('chosen', { spec: { sources: ['src'], destinations: [{ connector: 'out-1', actions: ['identify'] }] } });
    await test.ingest.write('src', [trackEvent(), trackEvent('x', { type: 'identify', event: undefined })]);
    await worker.processBatch();
    expect((await deliveryRows(test)).map((row) => row.action)).toEqual(['identify']);
  });

  it('dead-letters the event when a step with onError fail throws, naming pipeline, step and connector', async () => {
    await test.runtime.pipelines.create('strict', { spec: { sources: ['src'], transforms: ['boom'], destinations: ['out-1'] } });
    await test.ingest.write('src', [trackEvent('Bad'), trackEvent('Good')]);
    await worker.processBatch();
    const states = await eventStates(test);
    expect(states[0]).toMatchObject({ state: 'failed', error: "pipeline 'strict', step 1 ('boom'): cannot handle Bad events" });
    expect(states[1]!.state).toBe('done');
    expect(await deliveryRows(test)).toHaveLength(1);
  });

  it('skips only the failing step with onError skip-step', async () => {
    await test.runtime.pipelines.create('lenient', { spec: { sources: ['src'], transforms: [{ connector: 'boom', onError: 'skip-step' }, 'tag-a'], destinations: ['out-1'] } });
    await test.ingest.write('src', [trackEvent('Bad')]);
    await worker.processBatch();
    const [row] = await deliveryRows(test);
    expect(row!.payload).toMatchObject({ event: 'Bad', properties: { steps: ['a'] } });
  });

  it('drops the event with onError drop, and when a transform returns null', async () => {
    await test.runtime.pipelines.create('dropping', { spec: { sources: ['src'], transforms: [{ connector: 'boom', onError: 'drop' }], destinations: ['out-1'] } });
    await test.runtime.pipelines.create('nulling', { spec: { sources: ['src'], transforms: ['drop'], destinations: ['out-2'] } });
    await test.ingest.write('src', [trackEvent('Bad')]);
    await worker.processBatch();
    expect(await deliveryRows(test)).toEqual([]);
    expect((await eventStates(test))[0]!.state).toBe('done');
  });

  it('gives the events a transform splits off their own stable messageIds', async () => {
    await test.runtime.pipelines.create('splitting', { spec: { sources: ['src'], transforms: ['split'], destinations: ['out-1'] } });
    const event = trackEvent('Signup');
    await test.ingest.write('src', [event]);
    await worker.processBatch();
    expect((await deliveryRows(test)).map((row) => row.message_id)).toEqual([event.messageId, `${event.messageId}:1`]);
  });

  it('dead-letters a delivery whose payload does not fit the action, and delivers the rest', async () => {
    await test.connectorsUpdate('out-1', { settings: { actions: { send: { mapping: '{"event": event}' } } } });
    await test.runtime.pipelines.create('mapped', { spec: { sources: ['src'], destinations: ['out-1'] } });
    await test.ingest.write('src', [trackEvent()]);
    await worker.processBatch();
    const [row] = await deliveryRows(test);
    expect(row).toMatchObject({ status: 'dead' });
    expect(row!.last_error).toContain('messageId');
    await test.connectorsUpdate('out-1', { settings: {} });
  });

  it('applies a JSONata mapping and filter from the connector settings', async () => {
    await test.connectorsUpdate('out-2', {
      settings: { actions: { send: { filter: 'event = "Order Completed"', mapping: '{"messageId": messageId, "event": $uppercase(event)}' } } },
    });
    await test.runtime.pipelines.create('filtered', { spec: { sources: ['src'], destinations: ['out-2'] } });
    await test.ingest.write('src', [trackEvent(), trackEvent('Page Viewed')]);
    await worker.processBatch();
    const rows = await deliveryRows(test);
    expect(rows.map((row) => row.payload.event)).toEqual(['ORDER COMPLETED']);
    await test.connectorsUpdate('out-2', { settings: {} });
  });

  it('dead-letters a delivery whose JSONata mapping yields nothing', async () => {
    await test.connectorsUpdate('out-1', { settings: { actions: { send: { mapping: 'properties.missing' } } } });
    await test.runtime.pipelines.create('empty-mapping', { spec: { sources: ['src'], destinations: ['out-1'] } });
    await test.ingest.write('src', [trackEvent()]);
    await worker.processBatch();
    const [row] = await deliveryRows(test);
    expect(row).toMatchObject({ status: 'dead', last_error: 'the JSONata mapping produced no value for this event' });
    await test.connectorsUpdate('out-1', { settings: {} });
  });

  it('writes a dead delivery anew when its event is routed again, and leaves live ones alone', async () => {
    await test.connectorsUpdate('out-1', { settings: { actions: { send: { mapping: 'properties.missing' } } } });
    await test.runtime.pipelines.create('rerouted', { spec: { sources: ['src'], destinations: ['out-1', 'out-2'] } });
    await test.ingest.write('src', [trackEvent()]);
    await worker.processBatch();
    expect((await deliveryRows(test)).map((row) => row.status)).toEqual(['dead', 'pending']);
    // The mapping is fixed and the event is routed again (as an operator's events replay does).
    await test.connectorsUpdate('out-1', { settings: {} });
    await test.runtime.database.query(sql`insert into event_queue (event_id) select id from events`);
    await worker.processBatch();
    const [fixed, untouched] = await deliveryRows(test);
    expect(fixed).toMatchObject({ status: 'pending', attempts: 0, last_error: null, payload: expect.objectContaining({ event: 'Order Completed' }) });
    expect(fixed!.history.map((attempt) => attempt.outcome)).toEqual(['fail', 'replayed']);
    expect(untouched).toMatchObject({ status: 'pending', history: [] });
    expect(await deliveryRows(test)).toHaveLength(2);
  });

  it("prepares a transform once per connector and again after the connector changes", async () => {
    await test.runtime.pipelines.create('prepared', { spec: { sources: ['src'], transforms: ['counted'], destinations: ['out-1'] } });
    const before = prepareCalls.get('counted') ?? 0;
    await test.ingest.write('src', [trackEvent(), trackEvent()]);
    await worker.processBatch();
    await test.ingest.write('src', [trackEvent()]);
    await worker.processBatch();
    expect(prepareCalls.get('counted')).toBe(before + 1);
    await test.connectorsUpdate('counted', { config: { version: 2 } });
    await test.ingest.write('src', [trackEvent()]);
    await worker.processBatch();
    expect(prepareCalls.get('counted')).toBe(before + 2);
    expect(await deliveryRows(test)).toHaveLength(4);
  });

  it('does not take an event whose lease another worker still holds', async () => {
    await test.runtime.pipelines.create('held', { spec: { sources: ['src'], destinations: ['out-1'] } });
    await test.ingest.write('src', [trackEvent()]);
    expect(await claimPendingEvents(test.runtime.database, 10, 60_000)).toHaveLength(1);
    expect(await worker.processBatch()).toBe(0);
    expect(await deliveryRows(test)).toEqual([]);
  });

  it('writes each delivery once when a worker whose lease ran out finishes after another worker took its event over', async () => {
    await test.runtime.pipelines.create('taken-over', { spec: { sources: ['src'], destinations: ['out-1', 'out-2'] } });
    await test.ingest.write('src', [trackEvent()]);
    // Worker A claims the event and stalls (or dies) past its lease (1 ms here).
    const [stalled] = await claimPendingEvents(test.runtime.database, 10, 1);
    // Worker B claims it again once the lease has run out, and finishes.
    await waitUntil('the lease to run out', async () => (await worker.processBatch()) === 1);
    // A wakes up and commits what it routed: its claim is stale, so nothing of it is written.
    const router = new EventRouter(test.runtime, new ConnectorCache(test.runtime));
    const transformed = await router.transform(stalled!);
    if (transformed.outcome !== 'transformed') throw new Error(`expected the event to be transformed, got ${transformed.outcome}`);
    const rows = await router.fanOut(stalled!.id, transformed.outputs, undefined);
    expect(rows).toHaveLength(2);
    const queued = await commitRouting(test.runtime.database, [{ id: stalled!.id, attempts: stalled!.attempts, state: 'failed', error: 'stale' }], rows);
    expect(queued).toEqual([]);
    expect((await deliveryRows(test)).map((row) => `${row.connector_id}/${row.action}`)).toEqual(['out-1/send', 'out-2/send']);
    expect(await eventStates(test)).toEqual([expect.objectContaining({ state: 'done', error: null })]);
  });

  it('postpones an event whose pipeline cannot be loaded, without holding up the rest of the batch', async () => {
    await test.runtime.pipelines.create('broken', { spec: { sources: ['src'], transforms: ['tag-a'], destinations: ['out-1'] } });
    await test.runtime.pipelines.create('working', { spec: { sources: ['src-b'], destinations: ['out-2'] } });
    // The stored config no longer fits the plugin's schema (as after an incompatible plugin upgrade).
    await test.runtime.database.query(sql`update connectors set config = '{}', updated_at = now() where id = 'tag-a'`);
    try {
      await test.ingest.write('src', [trackEvent()]);
      await test.ingest.write('src-b', [trackEvent()]);
      expect(await worker.processBatch()).toBe(2);
      const [postponed, routed] = await eventStates(test);
      expect(postponed).toMatchObject({ state: 'pending' });
      expect(postponed!.error).toMatch(/^routing did not finish: Connector 'tag-a' config is invalid/);
      expect(routed!.state).toBe('done');
      expect((await deliveryRows(test)).map((row) => row.connector_id)).toEqual(['out-2']);
    } finally {
      await test.runtime.database.query(sql`update connectors set config = '{"label":"a"}', updated_at = now() where id = 'tag-a'`);
    }
    // Once the connector is fixed, the next claim after the postponement routes the event.
    await waitUntil('the postponed event to be routed', async () => (await worker.processBatch()) > 0);
    expect((await eventStates(test)).map((event) => event.state)).toEqual(['done', 'done']);
    expect((await deliveryRows(test)).map((row) => row.connector_id).sort()).toEqual(['out-1', 'out-2']);
  });

  it('marks an event failed, with the last error, once routing it has been tried too often', async () => {
    await test.runtime.pipelines.create('hopeless', { spec: { sources: ['src'], destinations: ['out-1'] } });
    await test.ingest.write('src', [trackEvent()]);
    await test.runtime.database.query(sql`update event_queue set attempts = 5, error = 'routing did not finish: database went away'`);
    await worker.processBatch();
    expect(await eventStates(test)).toEqual([
      expect.objectContaining({ state: 'failed', error: 'gave up after 5 attempts to route it; last error: routing did not finish: database went away' }),
    ]);
    expect(await deliveryRows(test)).toEqual([]);
  });

  it('leaves events of sources no pipeline reads as done, with nothing to deliver', async () => {
    await test.ingest.write('src', [trackEvent()]);
    expect(await worker.processBatch()).toBe(1);
    expect((await eventStates(test))[0]!.state).toBe('done');
    expect(await deliveryRows(test)).toEqual([]);
  });
});
