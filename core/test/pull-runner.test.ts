import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AuthError, TransientError, definePlugin, defineSource, type Cursor, type StreamMessage } from '@weft/plugin-sdk';
import { createApp } from '../src/app.js';
import { ensureAdminToken } from '../src/auth/admin-tokens.js';
import { PullRunner } from '../src/engine/pull-runner.js';
import { PullState } from '../src/engine/pull-state.js';
import { IngestWriter } from '../src/ingest/writer.js';
import { createEngineRuntime, createSecondRuntime, waitUntil, type EngineTestRuntime } from './engine-support.js';

interface Contact {
  id: string;
  updatedAt: string;
}

/** How the test stream misbehaves, per connector: throw after N records, refuse the credentials, or wait before record N. */
interface Behaviour {
  failAfter?: number;
  authError?: boolean;
  gate?: Gate;
}

interface Gate {
  at: number;
  /** Resolves once the stream waits at the gate. */
  reached: Promise<void>;
  open(): void;
}

function gateAt(at: number): Gate & { arrive(): Promise<void> } {
  let arrived!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { at, reached, open, arrive: () => (arrived(), opened) };
}

const rows = new Map<string, Contact[]>();
const behaviours = new Map<string, Behaviour>();
/** The cursor each run started from, per connector. */
const startedFrom = new Map<string, Array<Cursor | undefined>>();

const after = (row: Contact, cursor: Cursor | undefined) =>
  !cursor || row.updatedAt > String(cursor.value) || (row.updatedAt === cursor.value && row.id > (cursor.id ?? ''));

/** Reads the connector's rows ordered by (updatedAt, id) in pages of `pageSize`, a checkpoint after each page. */
async function* readContacts(connectorId: string, pageSize: number, cursor: Cursor | undefined): AsyncIterable<StreamMessage> {
  startedFrom.set(connectorId, [...(startedFrom.get(connectorId) ?? []), cursor]);
  const behaviour = behaviours.get(connectorId) ?? {};
  if (behaviour.authError) throw new AuthError('the CRM refused the API key (401)');
  const pending = (rows.get(connectorId) ?? []).filter((row) => after(row, cursor)).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id.localeCompare(b.id));
  let yielded = 0;
  for (let start = 0; start < pending.length; start += pageSize) {
    const page = pending.slice(start, start + pageSize);
    for (const row of page) {
      if (behaviour.failAfter !== undefined && yielded === behaviour.failAfter) throw new TransientError('the CRM hung up (502)');
      if (behaviour.gate?.at === yielded) await (behaviour.gate as ReturnType<typeof gateAt>).arrive();
      yielded += 1;
      yield { record: { type: 'identify', messageId: `contact-${row.id}-${row.updatedAt}`, userId: row.id, traits: { crmId: row.id }, timestamp: row.updatedAt } };
    }
    const last = page.at(-1)!;
    yield { checkpoint: { value: last.updatedAt, id: last.id } };
  }
}

const pullPlugin = definePlugin({
  id: 'pull-test',
  version: '1.0.0',
  sdk: '^0.1.0',
  description: 'A pull source over an in-memory table',
  components: {
    contacts: defineSource({
      description: 'Contacts by modification time, in pages',
      config: z.object({ pageSize: z.number().int().default(3) }),
      streams: { contacts: { read: (ctx) => readContacts(ctx.connector.id, ctx.config.pageSize, ctx.cursor) } },
    }),
  },
});

/** Seven contacts, several sharing a modification time, so a page boundary falls inside a tie. */
function contacts(): Contact[] {
  const at = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;
  return [
    { id: 'c1', updatedAt: at(1) },
    { id: 'c2', updatedAt: at(2) },
    { id: 'c3', updatedAt: at(2) },
    { id: 'c4', updatedAt: at(2) },
    { id: 'c5', updatedAt: at(2) },
    { id: 'c6', updatedAt: at(3) },
    { id: 'c7', updatedAt: at(3) },
  ];
}

describe('pull runner', () => {
  let test: EngineTestRuntime;
  let runner: PullRunner;
  let id: string;
  let serial = 0;

  const storedMessageIds = async (connectorId: string) =>
    (await test.runtime.database.query<{ message_id: string }>(sql`select message_id from events where source_id = ${connectorId} order by message_id`)).map((row) => row.message_id);
  const expectedMessageIds = (connectorId: string) => rows.get(connectorId)!.map((row) => `contact-${row.id}-${row.updatedAt}`).sort();

  beforeAll(async () => {
    test = await createEngineRuntime();
    test.runtime.registry.register(pullPlugin, 'installed', 'inline');
    runner = new PullRunner(test.runtime, test.ingest, { tickMs: 20 });
  });
  afterAll(async () => {
    await runner.stop();
    await test.ingest.close();
    await test.cleanup();
  });

  beforeEach(async () => {
    id = `crm-${++serial}`;
    rows.set(id, contacts());
    await test.runtime.connectors.create({ id, plugin: 'pull-test', component: 'contacts', settings: { pull: { enabled: false } } });
  });

  it('ingests every record of a stream as an event of the source', async () => {
    const [run] = await runner.syncConnector(id);
    expect(run).toMatchObject({ stream: 'contacts', outcome: 'ok', records: 7, accepted: 7, duplicates: 0, error: null });
    expect(await storedMessageIds(id)).toEqual(expectedMessageIds(id));
  });

  it('saves the checkpoint after each committed page and starts the next run from it', async () => {
    await runner.syncConnector(id);
    expect(await new PullState(test.runtime.database, id).cursor('contacts')).toEqual({ value: '2026-01-01T00:03:00.000Z', id: 'c7' });
    rows.get(id)!.push({ id: 'c8', updatedAt: '2026-01-01T00:03:00.000Z' });
    const [run] = await runner.syncConnector(id);
    expect(run).toMatchObject({ outcome: 'ok', records: 1, accepted: 1, cursor: { value: '2026-01-01T00:03:00.000Z', id: 'c8' } });
    expect(startedFrom.get(id)).toEqual([undefined, { value: '2026-01-01T00:03:00.000Z', id: 'c7' }]);
  });

  it('resumes a run that failed mid-page from the last checkpoint, losing and duplicating nothing', async () => {
    // Page one (c1-c3) is committed and checkpointed; c4 and c5 of page two are read, then the CRM fails.
    behaviours.set(id, { failAfter: 5 });
    const [failed] = await runner.syncConnector(id);
    expect(failed).toMatchObject({ outcome: 'failed', records: 5, accepted: 3, cursor: { value: '2026-01-01T00:02:00.000Z', id: 'c3' }, error: 'the CRM hung up (502)' });
    expect((await test.runtime.connectors.view(id)).status).toBe('active');

    behaviours.delete(id);
    const [resumed] = await runner.syncConnector(id);
    expect(startedFrom.get(id)!.at(-1)).toEqual({ value: '2026-01-01T00:02:00.000Z', id: 'c3' });
    expect(resumed).toMatchObject({ outcome: 'ok', records: 4, accepted: 4, duplicates: 0 });
    expect(await storedMessageIds(id)).toEqual(expectedMessageIds(id));
  });

  it('dedupes records read again after a crash between a commit and its checkpoint', async () => {
    await runner.syncConnector(id);
    // As if the process died after committing the last page but before saving its checkpoint.
    await new PullState(test.runtime.database, id).saveCursor('contacts', { value: '2026-01-01T00:02:00.000Z', id: 'c3' });
    const [run] = await runner.syncConnector(id);
    expect(run).toMatchObject({ outcome: 'ok', records: 4, accepted: 0, duplicates: 4 });
    expect(await storedMessageIds(id)).toEqual(expectedMessageIds(id));
  });

  it('pauses the source with the reason when the stream fails with an auth error', async () => {
    behaviours.set(id, { authError: true });
    const [run] = await runner.syncConnector(id);
    expect(run).toMatchObject({ outcome: 'paused', error: 'the CRM refused the API key (401)' });
    const connector = await test.runtime.connectors.view(id);
    expect(connector).toMatchObject({ status: 'paused', statusReason: "pull stream 'contacts': the CRM refused the API key (401)" });
    await expect(runner.syncConnector(id)).rejects.toThrow(/is paused/);
  });

  it('lets only one of two runners in two runtimes read a stream at a time', async () => {
    const second = await createSecondRuntime(test);
    second.runtime.registry.register(pullPlugin, 'installed', 'inline');
    const secondIngest = new IngestWriter(second.runtime);
    const secondRunner = new PullRunner(second.runtime, secondIngest);
    const gate = gateAt(0);
    behaviours.set(id, { gate });
    try {
      const first = runner.syncConnector(id);
      await gate.reached;
      const [busy] = await secondRunner.syncConnector(id);
      expect(busy).toMatchObject({ outcome: 'busy', records: 0 });
      gate.open();
      expect((await first)[0]).toMatchObject({ outcome: 'ok', records: 7 });
      behaviours.delete(id);
      expect((await secondRunner.syncConnector(id))[0]).toMatchObject({ outcome: 'ok', records: 0 });
    } finally {
      gate.open();
      await secondRunner.stop();
      await secondIngest.close();
      await second.close();
    }
  });

  it('stops between records on shutdown, keeping the last saved checkpoint', async () => {
    const own = new PullRunner(test.runtime, test.ingest);
    // Page one (c1-c3) is committed and checkpointed; the stream waits before c4.
    const gate = gateAt(3);
    behaviours.set(id, { gate });
    const running = own.syncConnector(id);
    await gate.reached;
    const stopping = own.stop();
    gate.open();
    await stopping;
    expect((await running)[0]).toMatchObject({ outcome: 'stopped', records: 4, accepted: 3, cursor: { value: '2026-01-01T00:02:00.000Z', id: 'c3' } });
    expect(await new PullState(test.runtime.database, id).cursor('contacts')).toEqual({ value: '2026-01-01T00:02:00.000Z', id: 'c3' });
  });

  it('runs enabled streams on their schedule and not again before the interval', async () => {
    await test.connectorsUpdate(id, { settings: { pull: { enabled: true, intervalSeconds: 3600 } } });
    runner.start();
    await waitUntil('the scheduled run', async () => (await new PullState(test.runtime.database, id).lastRun('contacts'))?.outcome === 'ok');
    await runner.tick();
    expect(startedFrom.get(id)).toHaveLength(1);
    expect(await storedMessageIds(id)).toEqual(expectedMessageIds(id));
    await test.connectorsUpdate(id, { settings: { pull: { enabled: false } } });
  });

  it('syncs through POST /api/v1/connectors/:id/sync and shows the streams in the status', async () => {
    const { generated } = await ensureAdminToken(test.runtime.db, 'pull-test-admin-token-0123456789', test.dataDir);
    expect(generated).toBeUndefined();
    const app = createApp({ runtime: test.runtime, ingest: test.ingest, pulls: runner });
    const headers = { authorization: 'Bearer pull-test-admin-token-0123456789' };
    const sync = await app.request(`/api/v1/connectors/${id}/sync`, { method: 'POST', headers });
    expect(sync.status).toBe(200);
    expect(((await sync.json()) as { runs: unknown[] }).runs).toMatchObject([{ stream: 'contacts', outcome: 'ok', records: 7, accepted: 7 }]);
    const status = (await (await app.request(`/api/v1/connectors/${id}/status`, { headers })).json()) as { pulls: unknown[] };
    expect(status.pulls).toMatchObject([{ stream: 'contacts', running: false, cursor: { value: '2026-01-01T00:03:00.000Z', id: 'c7' }, lastRun: { outcome: 'ok', records: 7 } }]);
    const notSource = await app.request('/api/v1/connectors/nope/sync', { method: 'POST', headers });
    expect(notSource.status).toBe(404);
  });
});
