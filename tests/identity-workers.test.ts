// Two real worker processes resolving conflicting identity events against one PostgreSQL
// database must build the same graph as one worker does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startWeftProcess, waitFor, type WeftProcess } from './support/weft-process.js';
import { createWeftEnvironment, sendBatch } from './support/weft-env.js';

type Environment = Awaited<ReturnType<typeof createWeftEnvironment>>;

const portOf = (api: WeftProcess) => Number(/"port":(\d+)/.exec(api.output())?.[1]);

/**
 * 300 people, each seen through five events that carry two or three of their seven identifiers, in a
 * scrambled order: merges of the same profiles land in different batches, often on both workers.
 */
function conflictingEvents(): Array<Record<string, unknown>> {
  const events = Array.from({ length: 300 }, (_, n) => [
    { type: 'identify', userId: `u${n}`, anonymousId: `a${n}` },
    { type: 'identify', anonymousId: `b${n}`, traits: { email: `p${n}@example.com` } },
    { type: 'identify', anonymousId: `a${n}`, traits: { email: `p${n}@example.com` } },
    { type: 'identify', anonymousId: `c${n}`, context: { externalIds: [{ id: `d${n}`, type: 'device_id' }] } },
    { type: 'identify', anonymousId: `c${n}`, userId: `u${n}`, traits: { phone: `+86138${String(n).padStart(8, '0')}` } },
  ]).flat();
  return events
    .map((event, index) => ({ event: { ...event, messageId: `m-${index}` }, order: (index * 7919) % events.length }))
    .sort((a, b) => a.order - b.order)
    .map(({ event }) => event);
}

async function partition(databaseUrl: string): Promise<string[][]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<Array<{ profile_id: string; id: string }>>`
      select i.profile_id, i.type || ':' || i.value as id from identities i join profiles p on p.id = i.profile_id where p.merged_into is null`;
    const byProfile = new Map<string, string[]>();
    for (const row of rows) byProfile.set(row.profile_id, [...(byProfile.get(row.profile_id) ?? []), row.id]);
    return [...byProfile.values()].map((ids) => ids.sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  } finally {
    await sql.end();
  }
}

async function pendingEvents(databaseUrl: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from event_queue where state = 'pending'`;
    return row!.n;
  } finally {
    await sql.end();
  }
}

describe('identity resolution in two worker processes', () => {
  const environments: Environment[] = [];
  const processes: WeftProcess[] = [];

  /** An API process and `workers` worker processes on a fresh database; the events go in through `/v1/batch`. */
  async function resolveWith(workers: number): Promise<string[][]> {
    // Small batches, so two workers really do interleave their transactions.
    const environment = await createWeftEnvironment({ WEFT_PIPELINE_BATCH_SIZE: '50' });
    environments.push(environment);
    const writeKey = await environment.configure(async (runtime) => (await runtime.connectors.create({ id: 'app', plugin: 'web-sdk', component: 'source' })).writeKey!);
    const api = await startWeftProcess(['--role', 'api', '--port', '0'], environment.env);
    processes.push(api);
    const events = conflictingEvents();
    for (let start = 0; start < events.length; start += 250) await sendBatch(`http://127.0.0.1:${portOf(api)}`, writeKey, events.slice(start, start + 250));
    const started = await Promise.all(Array.from({ length: workers }, () => startWeftProcess(['--role', 'worker'], environment.env)));
    processes.push(...started);
    await waitFor('every event to be resolved', async () => (await pendingEvents(environment.databaseUrl)) === 0, 60_000);
    return partition(environment.databaseUrl);
  }

  let serial: string[][];
  let parallel: string[][];

  beforeAll(async () => {
    [serial, parallel] = [await resolveWith(1), await resolveWith(2)];
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.stop()));
    for (const environment of environments) await environment.cleanup();
  });

  it('builds one profile per person with all seven of their identifiers', () => {
    expect(serial).toHaveLength(300);
    expect(serial[0]).toEqual(['anonymous_id:a0', 'anonymous_id:b0', 'anonymous_id:c0', 'device_id:d0', 'email:p0@example.com', 'phone:+8613800000000', 'user_id:u0']);
    expect(serial.every((ids) => ids.length === 7)).toBe(true);
  });

  it('converges to the graph a single worker builds', () => {
    expect(parallel).toEqual(serial);
  });
});
