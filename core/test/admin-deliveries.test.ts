import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { deliveries, type DeliveryAttempt } from '../src/db/schema/index.js';
import { deliveryViewSchema } from '../src/http/admin/schemas.js';
import { createAdminHarness, type AdminHarness } from './admin-helpers.js';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

interface Fixture {
  connectorId: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts?: number;
  lastError?: string;
  updatedAt?: Date;
  nextAttemptAt?: Date;
}

describe('deliveries API', () => {
  let h: AdminHarness;
  let sequence = 0;

  /** Writes outbox rows as the delivery engine leaves them. */
  async function insertDeliveries(...rows: Fixture[]): Promise<number[]> {
    const values = rows.map((row) => {
      sequence += 1;
      const at = row.updatedAt ?? new Date();
      const history: DeliveryAttempt[] = row.lastError ? [{ at: at.toISOString(), outcome: row.status === 'dead' ? 'fail' : 'retry', error: row.lastError }] : [];
      return {
        connectorId: row.connectorId,
        action: 'send',
        idempotencyKey: `key-${sequence}`,
        messageId: `msg-${sequence}`,
        payload: { n: sequence },
        status: row.status,
        attempts: row.attempts ?? (row.status === 'pending' ? 0 : 1),
        lastError: row.lastError ?? null,
        history,
        createdAt: at,
        updatedAt: at,
        nextAttemptAt: row.nextAttemptAt ?? at,
      };
    });
    const inserted = await h.t.runtime.db.insert(deliveries).values(values).returning({ id: deliveries.id });
    return inserted.map((row) => row.id);
  }

  const statusOf = async (ids: number[]) =>
    h.t.runtime.database.query<{ id: number; status: string; attempts: number }>(
      sql`select id::int, status, attempts from deliveries where id in ${sql.raw(`(${ids.join(',')})`)} order by id`,
    );

  beforeAll(async () => {
    h = await createAdminHarness();
    for (const id of ['crm', 'ads']) {
      await h.t.runtime.connectors.create({ id, plugin: 'test-admin', component: 'destination', config: { url: 'http://127.0.0.1:9/x', token: 'tok-deliveries-secret' } });
    }
  });
  afterAll(async () => h?.cleanup());

  it('lists deliveries newest first, filtered by connector and status, page by page', async () => {
    const ids = await insertDeliveries(
      { connectorId: 'crm', status: 'delivered' },
      { connectorId: 'crm', status: 'delivered' },
      { connectorId: 'crm', status: 'delivered' },
      { connectorId: 'ads', status: 'delivered' },
    );
    const first = await h.call('GET', '/api/v1/deliveries?connector=crm&status=delivered&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.deliveries.map((d: { id: number }) => d.id)).toEqual([ids[2], ids[1]]);
    deliveryViewSchema.parse(first.body.deliveries[0]);
    const second = await h.call('GET', `/api/v1/deliveries?connector=crm&status=delivered&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ nextCursor: null });
    expect(second.body.deliveries.map((d: { id: number }) => d.id)).toEqual([ids[0]]);
    expect((await h.call('GET', '/api/v1/deliveries?cursor=garbage')).status).toBe(400);
    expect((await h.call('GET', '/api/v1/deliveries?status=lost')).status).toBe(400);
  });

  it('filters by a substring of the last error and by updatedAt range', async () => {
    const [old, recent] = await insertDeliveries(
      { connectorId: 'ads', status: 'dead', lastError: 'Ads API answered 400 Bad Request: INVALID_EMAIL', updatedAt: minutesAgo(120) },
      { connectorId: 'ads', status: 'dead', lastError: 'Ads API answered 400 Bad Request: invalid_email', updatedAt: minutesAgo(5) },
    );
    const byError = await h.call('GET', '/api/v1/deliveries?error=Invalid_Email');
    expect(byError.body.deliveries.map((d: { id: number }) => d.id)).toEqual([recent, old]);
    const since = encodeURIComponent(minutesAgo(60).toISOString());
    const recentOnly = await h.call('GET', `/api/v1/deliveries?error=invalid_email&since=${since}`);
    expect(recentOnly.body.deliveries.map((d: { id: number }) => d.id)).toEqual([recent]);
    const oldOnly = await h.call('GET', `/api/v1/deliveries?error=invalid_email&until=${since}`);
    expect(oldOnly.body.deliveries.map((d: { id: number }) => d.id)).toEqual([old]);
    expect((await h.call('GET', '/api/v1/deliveries?since=yesterday')).status).toBe(400);
  });

  it('counts without changing anything on a dry run', async () => {
    const before = await h.t.runtime.database.query(sql`select id, status, attempts, history from deliveries order by id`);
    const { status, body } = await h.call('POST', '/api/v1/deliveries/replay', { connector: 'ads', error: 'INVALID_EMAIL', dryRun: true });
    expect(status).toBe(200);
    expect(body).toEqual({ matched: 2, replayed: 0, remaining: 2 });
    expect(await h.t.runtime.database.query(sql`select id, status, attempts, history from deliveries order by id`)).toEqual(before);
  });

  it('moves only the matching dead letters back to pending, due now, attempts reset, and wakes the connector', async () => {
    const [match1, match2, otherError, otherConnector, pendingRetry] = await insertDeliveries(
      { connectorId: 'crm', status: 'dead', attempts: 8, lastError: 'CRM answered 503 Service Unavailable', updatedAt: minutesAgo(30) },
      { connectorId: 'crm', status: 'dead', attempts: 8, lastError: 'CRM answered 503 Service Unavailable', updatedAt: minutesAgo(20) },
      { connectorId: 'crm', status: 'dead', attempts: 1, lastError: 'CRM answered 400 Bad Request', updatedAt: minutesAgo(20) },
      { connectorId: 'ads', status: 'dead', attempts: 8, lastError: 'Ads answered 503 Service Unavailable', updatedAt: minutesAgo(20) },
      { connectorId: 'crm', status: 'pending', attempts: 3, lastError: 'CRM answered 503 Service Unavailable', nextAttemptAt: new Date(Date.now() + 3_600_000) },
    );
    const woken: string[] = [];
    const stopListening = h.t.runtime.signals.onDeliveries('crm', () => woken.push('crm'));
    const { body } = await h.call('POST', '/api/v1/deliveries/replay', { connector: 'crm', error: '503' });
    stopListening();
    expect(body).toEqual({ matched: 2, replayed: 2, remaining: 0 });
    expect(woken).toEqual(['crm']);

    const rows = await statusOf([match1!, match2!, otherError!, otherConnector!, pendingRetry!]);
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['dead', 1],
      ['dead', 8],
      ['pending', 3],
    ]);
    const replayed = await h.call('GET', `/api/v1/deliveries?connector=crm&status=pending&error=503`);
    const row = replayed.body.deliveries.find((d: { id: number }) => d.id === match1);
    expect(Date.parse(row.nextAttemptAt)).toBeLessThanOrEqual(Date.now());
    expect(row.history.at(-1)).toMatchObject({ outcome: 'replayed' });
  });

  it('replays at most `limit` per call and says how many remain', async () => {
    const ids = await insertDeliveries(
      { connectorId: 'ads', status: 'dead', lastError: 'timeout A' },
      { connectorId: 'ads', status: 'dead', lastError: 'timeout A' },
      { connectorId: 'ads', status: 'dead', lastError: 'timeout A' },
    );
    expect((await h.call('POST', '/api/v1/deliveries/replay', { error: 'timeout A', limit: 2 })).body).toEqual({ matched: 3, replayed: 2, remaining: 1 });
    expect((await h.call('POST', '/api/v1/deliveries/replay', { error: 'timeout A', limit: 2 })).body).toEqual({ matched: 1, replayed: 1, remaining: 0 });
    expect((await statusOf(ids)).every((row) => row.status === 'pending')).toBe(true);
  });

  it('replays chosen ids only, and rejects a malformed request', async () => {
    const [chosen, left] = await insertDeliveries({ connectorId: 'ads', status: 'dead', lastError: 'x' }, { connectorId: 'ads', status: 'dead', lastError: 'x' });
    expect((await h.call('POST', '/api/v1/deliveries/replay', { ids: [chosen] })).body).toEqual({ matched: 1, replayed: 1, remaining: 0 });
    expect((await statusOf([chosen!, left!])).map((row) => row.status)).toEqual(['pending', 'dead']);
    const bad = await h.call('POST', '/api/v1/deliveries/replay', { limit: 0, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(expect.arrayContaining(['limit', '(root)']));
  });

  it('writes each replay to the audit log', async () => {
    const { body } = await h.call('GET', '/api/v1/audit?action=deliveries.replay');
    expect(body.entries.length).toBe(4);
    expect(body.entries.at(-1)).toMatchObject({ actor: 'env', details: { replayed: 2, filters: { connector: 'crm', error: '503' } } });
  });

  it("shows a destination's queue and latest errors in its status", async () => {
    await insertDeliveries({ connectorId: 'crm', status: 'pending', attempts: 0, updatedAt: minutesAgo(10), nextAttemptAt: new Date(Date.now() + 600_000) });
    const { status, body } = await h.call('GET', '/api/v1/connectors/crm/status');
    expect(status).toBe(200);
    const counts = await h.t.runtime.database.query<Record<string, number>>(sql`
      select count(*) filter (where status = 'pending')::int as pending,
             count(*) filter (where status = 'pending' and next_attempt_at <= now())::int as due,
             count(*) filter (where status = 'pending' and attempts > 0)::int as retrying,
             count(*) filter (where status = 'dead')::int as dead,
             count(*) filter (where status = 'delivered')::int as delivered
      from deliveries where connector_id = 'crm'`);
    expect(body.queue).toMatchObject(counts[0]!);
    expect(body.queue).toMatchObject({ pending: 4, due: 2, retrying: 1, dead: 1, delivered: 3 });
    expect(body.queue.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(10 * 60 - 5);
    expect(body.recentErrors[0]).toEqual({ at: expect.any(String), error: 'CRM answered 503 Service Unavailable' });
    expect(body.recentErrors.length).toBeLessThanOrEqual(5);
    expect(JSON.stringify(body)).not.toContain('tok-deliveries-secret');
  });
});
