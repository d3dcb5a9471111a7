import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { classifyHttpResponse, defineAction, defineDestination, definePlugin, idempotencyKey, ok, type IdentityMerge } from '@weft/plugin-sdk';
import { startFakeServer, type FakeScript, type FakeServer } from '@weft/plugin-sdk/testing';
import { DeliveryManager } from '../src/delivery/manager.js';
import { ConnectorCache, type LiveConnector } from '../src/engine/connector-cache.js';
import { claimPendingEvents, commitRouting } from '../src/engine/claims.js';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { normalizeEvents } from '../src/ingest/normalize.js';
import { mergeNoticeAction, mergeNoticeRows, mergeNoticeTargets, type CommittedMerge } from '../src/identity/merge-notices.js';
import { createEngineRuntime, deliveryRows, trackEvent, waitUntil, type EngineTestRuntime } from './engine-support.js';

const receiverConfig = z.object({ url: z.string() });
const send = defineAction({ description: 'Send events', payload: z.looseObject({}), defaultMapping: (event) => event, perform: () => ok() });

const mergePlugin = definePlugin({
  id: 'merge-test',
  version: '1.0.0',
  sdk: '^0.1.0',
  description: 'Destinations with and without onIdentityMerge',
  components: {
    notified: defineDestination({
      description: 'POSTs every merge to its receiver',
      config: receiverConfig,
      actions: { send },
      async onIdentityMerge({ payload, idempotencyKey }, ctx) {
        const response = await ctx.fetch(ctx.config.url, { method: 'POST', headers: { 'idempotency-key': idempotencyKey }, body: JSON.stringify(payload) });
        const error = await classifyHttpResponse(response, 'merge receiver');
        if (error) throw error;
      },
    }),
    silent: defineDestination({ description: 'Knows nothing of merges', config: receiverConfig, actions: { send } }),
  },
});

const quickRetries = { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 50 };
const at = new Date('2026-01-31T12:00:00.000Z');

describe('identity merge notices', () => {
  let test: EngineTestRuntime;
  let manager: DeliveryManager;
  let cache: ConnectorCache;
  const servers: FakeServer[] = [];
  let next = 0;

  /** A destination connector of the test plugin, pointed at a new fake receiver. */
  async function destination(component: 'notified' | 'silent', script: FakeScript = { status: 200 }, enabled = true) {
    const receiver = await startFakeServer(script);
    servers.push(receiver);
    const id = `merge-dest-${++next}`;
    await test.runtime.connectors.create({ id, plugin: 'merge-test', component, enabled, config: { url: `${receiver.url}/merges` }, settings: { retry: quickRetries } });
    await manager.refresh();
    return { id, receiver, connector: () => cache.get(id) };
  }

  /**
   * Commits merge notices as the pipeline worker does: with the routing of the event that caused
   * the merges (ingested and claimed here), in one transaction.
   */
  async function commitNotices(targets: LiveConnector[], merges: Array<Omit<CommittedMerge, 'eventId'>>): Promise<void> {
    await test.ingest.write('merge-src', [trackEvent()]);
    const [event] = await claimPendingEvents(test.runtime.database, 10, 60_000);
    const rows = mergeNoticeRows(targets, merges.map((merge) => ({ ...merge, eventId: event!.id })), at);
    const queuedFor = await commitRouting(test.runtime.database, [{ id: event!.id, attempts: event!.attempts, state: 'done', error: null }], rows);
    for (const connectorId of queuedFor) test.runtime.signals.deliveriesQueued(connectorId);
  }

  const settled = (id: string, count: number) => async () => {
    const list = await deliveryRows(test, id);
    return list.length === count && list.every((row) => row.status !== 'pending') ? list : undefined;
  };

  beforeAll(async () => {
    test = await createEngineRuntime();
    test.runtime.registry.register(mergePlugin, 'installed', 'inline');
    await test.runtime.connectors.create({ id: 'merge-src', plugin: 'engine-test', component: 'source' });
    cache = new ConnectorCache(test.runtime, 0);
    manager = new DeliveryManager(test.runtime);
    manager.start();
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await manager.stop();
    await test.cleanup();
  });

  it('targets the enabled destinations that implement onIdentityMerge, and no others', async () => {
    const notified = await destination('notified');
    const disabled = await destination('notified', { status: 200 }, false);
    const silent = await destination('silent');
    const targets = (await mergeNoticeTargets(test.runtime, cache)).map((target) => target.row.id);
    expect(targets).toContain(notified.id);
    expect(targets).not.toContain(disabled.id);
    expect(targets).not.toContain(silent.id);
  });

  it('builds one notice per target and survivor, combining merges that end in the same profile', async () => {
    const targets = [await (await destination('notified')).connector(), await (await destination('notified')).connector()];
    const merges: CommittedMerge[] = [
      { loser: 'prf_a', survivor: 'prf_b', rule: 'event', eventId: 7 },
      { loser: 'prf_y', survivor: 'prf_x', rule: 'event', eventId: 8 },
      { loser: 'prf_b', survivor: 'prf_c', rule: 'event', eventId: 9 },
    ];
    const rows = mergeNoticeRows(targets, merges, at);
    expect(rows.map((row) => [row.connectorId, row.action, row.eventId, row.payload])).toEqual([
      [targets[0]!.row.id, mergeNoticeAction, 7, { survivorId: 'prf_c', mergedIds: ['prf_a', 'prf_b'], rule: 'event', at: at.toISOString() }],
      [targets[1]!.row.id, mergeNoticeAction, 7, { survivorId: 'prf_c', mergedIds: ['prf_a', 'prf_b'], rule: 'event', at: at.toISOString() }],
      [targets[0]!.row.id, mergeNoticeAction, 8, { survivorId: 'prf_x', mergedIds: ['prf_y'], rule: 'event', at: at.toISOString() }],
      [targets[1]!.row.id, mergeNoticeAction, 8, { survivorId: 'prf_x', mergedIds: ['prf_y'], rule: 'event', at: at.toISOString() }],
    ]);
    const [first] = rows;
    expect(first!.idempotencyKey).toBe(idempotencyKey({ connectorId: targets[0]!.row.id, action: mergeNoticeAction, messageId: 'merge:prf_c:prf_a,prf_b' }));
    // The same merges in another batch (a retried transaction) give the same keys.
    expect(mergeNoticeRows(targets, merges, new Date()).map((row) => row.idempotencyKey)).toEqual(rows.map((row) => row.idempotencyKey));
    expect(mergeNoticeRows([], merges, at)).toEqual([]);
  });

  it('calls onIdentityMerge through the outbox, retrying after a 500 until the destination takes it', async () => {
    const notified = await destination('notified', [{ status: 500 }, { status: 200 }]);
    await commitNotices([await notified.connector()], [{ loser: 'prf_loser', survivor: 'prf_survivor', rule: 'event' }]);
    const [row] = await waitUntil('the merge notice', settled(notified.id, 1));
    expect(row).toMatchObject({ action: '$identity-merge', status: 'delivered', attempts: 2, message_id: 'merge:prf_survivor:prf_loser' });
    expect(row!.history.map((attempt) => attempt.outcome)).toEqual(['retry', 'ok']);
    expect(row!.history[0]!.error).toContain('500');
    const merge: IdentityMerge = { survivorId: 'prf_survivor', mergedIds: ['prf_loser'], rule: 'event', at: at.toISOString() };
    expect(notified.receiver.requests.map((request) => request.json)).toEqual([merge, merge]);
    const [failed, retried] = notified.receiver.requests;
    expect(retried!.headers['idempotency-key']).toBe(failed!.headers['idempotency-key']);
  });

  it('dead-letters a notice the destination refuses with 400, with its reason', async () => {
    const notified = await destination('notified', { status: 400, json: { error: 'unknown profile prf_gone' } });
    await commitNotices([await notified.connector()], [{ loser: 'prf_gone', survivor: 'prf_here', rule: 'manual' }]);
    const [row] = await waitUntil('the dead letter', settled(notified.id, 1));
    expect(row).toMatchObject({ action: '$identity-merge', status: 'dead', attempts: 1 });
    expect(row!.last_error).toContain('unknown profile prf_gone');
    expect(notified.receiver.requests).toHaveLength(1);
  });

  it('queues nothing for a destination without the hook', async () => {
    const notified = await destination('notified');
    const silent = await destination('silent');
    await commitNotices(await mergeNoticeTargets(test.runtime, cache), [{ loser: 'prf_one', survivor: 'prf_two', rule: 'event' }]);
    await waitUntil('the merge notice', settled(notified.id, 1));
    expect(await deliveryRows(test, silent.id)).toEqual([]);
    expect(silent.receiver.requests).toEqual([]);
  });

  it('dead-letters a notice whose destination no longer implements the hook, saying so', async () => {
    const silent = await destination('silent');
    await commitNotices([await silent.connector()], [{ loser: 'prf_three', survivor: 'prf_four', rule: 'event' }]);
    const [row] = await waitUntil('the dead letter', settled(silent.id, 1));
    expect(row).toMatchObject({ status: 'dead', last_error: "the destination 'merge-test/silent' does not implement onIdentityMerge (any more), so it cannot be told about this merge" });
    expect(silent.receiver.requests).toEqual([]);
  });

  it('tells a destination about a merge the pipeline makes, naming the survivor and the merged profile', async () => {
    const notified = await destination('notified');
    const worker = new PipelineWorker(test.runtime);
    const run = async (events: Array<Record<string, unknown>>) => {
      await test.ingest.write('merge-src', normalizeEvents(events, { receivedAt: new Date() }));
      while ((await worker.processBatch()) > 0);
    };
    await run([{ type: 'page', anonymousId: 'visitor-1', name: 'Home' }]);
    await run([{ type: 'identify', userId: 'member-1', traits: { email: 'member-1@example.com' } }]);
    const visitor = (await test.runtime.identity.profiles.lookup('anonymous_id:visitor-1')).id;
    const member = (await test.runtime.identity.profiles.lookup('user_id:member-1')).id;
    await run([{ type: 'identify', userId: 'member-1', anonymousId: 'visitor-1' }]);
    const [row] = await waitUntil('the merge notice to be delivered', settled(notified.id, 1));
    expect(row).toMatchObject({ action: mergeNoticeAction, status: 'delivered' });
    expect(notified.receiver.requests.map((request) => request.json)).toEqual([
      { survivorId: visitor, mergedIds: [member], rule: 'event', at: expect.any(String) },
    ]);
  });

  it('tells a destination about a merge made by hand, in the same transaction as the merge', async () => {
    const notified = await destination('notified');
    const worker = new PipelineWorker(test.runtime);
    await test.ingest.write('merge-src', normalizeEvents([{ type: 'identify', userId: 'hand-1' }, { type: 'identify', anonymousId: 'hand-visitor' }], { receivedAt: new Date() }));
    while ((await worker.processBatch()) > 0);
    const member = (await test.runtime.identity.profiles.lookup('user_id:hand-1')).id;
    const visitor = (await test.runtime.identity.profiles.lookup('anonymous_id:hand-visitor')).id;
    const survivor = await test.runtime.identity.merge([member, visitor], { rule: 'manual', confidence: 1, evidence: null });
    const [row] = await waitUntil('the merge notice to be delivered', settled(notified.id, 1));
    expect(row).toMatchObject({ action: mergeNoticeAction, status: 'delivered' });
    expect(notified.receiver.requests.map((request) => request.json)).toEqual([
      { survivorId: survivor, mergedIds: [survivor === member ? visitor : member], rule: 'manual', at: expect.any(String) },
    ]);
  });
});
