import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, spawnWeft, startTestServer, waitFor, weft, type TestServer } from './support.js';

interface ImportJson {
  imported: number;
  rejected: number;
  resumedAfterLine: number;
  alreadyCompleted: boolean;
  rejects: Array<{ line: number; reason: string }>;
}

interface EventJson {
  messageId: string;
  type: string;
  payload: { event?: string; userId?: string; traits?: Record<string, unknown>; properties?: Record<string, unknown> };
}

describe('weft import', { timeout: 60_000 }, () => {
  let t: TestServer;
  let dir: string;
  const writeKeys: Record<string, string> = {};
  const env = (source: string) => ({ ...t.env, WEFT_WRITE_KEY: writeKeys[source]! });

  beforeAll(async () => {
    t = await startTestServer();
    dir = t.dataDir;
    for (const id of ['csv-in', 'jsonl-in', 'crm-in', 'bulk-in']) {
      const { writeKey } = await t.server.runtime.connectors.create({ id, plugin: 'web-sdk', component: 'source' });
      writeKeys[id] = writeKey!;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every event stored for a source, through the admin API (pages of 500, newest first). */
  async function storedEvents(source: string): Promise<EventJson[]> {
    const all: EventJson[] = [];
    let before: string | null | undefined;
    do {
      const query = new URLSearchParams({ source, limit: '500', ...(before ? { before } : {}) });
      const response = await fetch(`${t.url}/api/v1/events?${query}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
      const page = (await response.json()) as { events: EventJson[]; nextCursor: string | null };
      all.push(...page.events);
      before = page.nextCursor;
    } while (before);
    return all;
  }

  it('imports the good rows of a CSV and reports the bad ones by line, with the server’s reasons', async () => {
    const file = join(dir, 'orders.csv');
    writeFileSync(
      file,
      [
        'user_id,event,total,timestamp',
        'u1,Order Completed,10,2025-03-04T12:00:00Z',
        ',Order Completed,20,2025-03-04T12:01:00Z',
        'u3,Order Completed,30,not a time',
        'u4,Order Completed,"4,5",2025-03-04T12:03:00Z',
        'u5,Order Completed',
        'u6,Refunded,60,2025-03-04T12:05:00Z',
      ].join('\n'),
    );
    const rejectsFile = join(dir, 'orders-rejects.jsonl');
    const result = await weft(['import', file, '--source', 'csv-in', '--type', 'track', '--rejects', rejectsFile, '--json'], env('csv-in'));
    expect(result.code, result.stderr).toBe(0);
    const summary = parseJson<ImportJson>(result.stdout);
    expect(summary).toMatchObject({ imported: 3, rejected: 3 });
    expect(summary.rejects.map(({ line }) => line)).toEqual([3, 4, 6]);
    expect(summary.rejects[0]!.reason).toContain('user_id is empty');
    expect(summary.rejects[1]!.reason).toMatch(/^timestamp /);
    expect(summary.rejects[2]!.reason).toContain('has 2 fields; the header has 4');
    expect(readFileSync(rejectsFile, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { line: number }).line)).toEqual([3, 4, 6]);

    const events = await storedEvents('csv-in');
    expect(events.map((event) => event.payload.userId).sort()).toEqual(['u1', 'u4', 'u6']);
    expect(events.find((event) => event.payload.userId === 'u4')!.payload).toMatchObject({ event: 'Order Completed', properties: { total: '4,5' } });
  });

  it('imports a gzipped JSON Lines file, sending lines that are already events as they are', async () => {
    const file = join(dir, 'events.jsonl.gz');
    const lines = [
      JSON.stringify({ type: 'track', event: 'Signed Up', userId: 'j1', messageId: 'given-1', properties: { plan: 'pro' } }),
      '',
      JSON.stringify({ type: 'page', anonymousId: 'a2', name: 'Pricing' }),
      '{not json',
      JSON.stringify({ userId: 'j3', plan: 'free' }),
    ];
    writeFileSync(file, gzipSync(lines.join('\n')));
    const result = await weft(['import', file, '--source', 'jsonl-in', '--json'], env('jsonl-in'));
    expect(result.code, result.stderr).toBe(0);
    const summary = parseJson<ImportJson>(result.stdout);
    expect(summary).toMatchObject({ imported: 3, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 4, reason: expect.stringContaining('not valid JSON') });
    const events = await storedEvents('jsonl-in');
    expect(events.map((event) => event.type).sort()).toEqual(['identify', 'page', 'track']);
    expect(events.find((event) => event.type === 'track')!.messageId).toBe('given-1');
    expect(events.find((event) => event.type === 'identify')!.payload.traits).toEqual({ plan: 'free' });
  });

  it('maps a CSV to identify events, and the profiles can be found by email', async () => {
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, 'Customer,E-mail,First name\nc-1,Ada@Example.com,Ada\nc-2,grace@example.com,Grace\n');
    const mapping = join(dir, 'mapping.yaml');
    writeFileSync(mapping, 'type: identify\nuserIdColumn: Customer\ncolumns:\n  E-mail: email\n  First name: firstName\n');
    const result = await weft(['import', file, '--source', 'crm-in', '--mapping', mapping], env('crm-in'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Imported 2 rows');
    const profile = await waitFor('the profile of ada@example.com', async () => {
      const found = await weft(['profiles', 'get', 'email:ada@example.com', '--json'], t.env);
      return found.code === 0 ? parseJson<{ profile: { identities: Array<{ type: string; value: string }>; traits: Record<string, unknown> } }>(found.stdout).profile : undefined;
    });
    expect(profile.identities.map((identity) => `${identity.type}:${identity.value}`).sort()).toEqual(['email:ada@example.com', 'user_id:c-1']);
    expect((await weft(['profiles', 'get', 'email:grace@example.com'], t.env)).code).toBe(0);
  });

  it('stores each row exactly once when an import is killed with SIGKILL and run again', async () => {
    const rows = 20_000;
    const file = join(dir, 'bulk.csv');
    writeFileSync(file, `userId,event,n\n${Array.from({ length: rows }, (_, i) => `u${i % 997},Viewed,${i}`).join('\n')}\n`);
    const checkpoint = `${file}.weft-import.json`;
    const args = ['import', file, '--source', 'bulk-in', '--batch-size', '250', '--concurrency', '2', '--json'];
    const first = spawnWeft(args, env('bulk-in'));
    const reached = await waitFor('the checkpoint to show progress', () => {
      if (first.child.exitCode !== null) throw new Error(`the import ended before it was killed:\n${first.output().stderr}`);
      return existsSync(checkpoint) && (JSON.parse(readFileSync(checkpoint, 'utf8')) as { line: number }).line > 2_000;
    });
    expect(reached).toBe(true);
    await first.stop('SIGKILL');
    const atCrash = JSON.parse(readFileSync(checkpoint, 'utf8')) as { line: number; completed: boolean };
    expect(atCrash.completed).toBe(false);

    const second = await weft(args, env('bulk-in'));
    expect(second.code, second.stderr).toBe(0);
    const summary = parseJson<ImportJson>(second.stdout);
    expect(summary.resumedAfterLine).toBe(atCrash.line);
    expect(summary).toMatchObject({ imported: rows, rejected: 0 });

    const events = await storedEvents('bulk-in');
    expect(events).toHaveLength(rows);
    expect(new Set(events.map((event) => event.payload.properties!.n)).size).toBe(rows);

    const again = await weft(args, env('bulk-in'));
    expect(parseJson<ImportJson>(again.stdout).alreadyCompleted).toBe(true);
  });

  it('exits 4 with one line when the write key is refused', async () => {
    const file = join(dir, 'one.csv');
    writeFileSync(file, 'userId\nu1\n');
    const result = await weft(['import', file, '--source', 'csv-in', '--write-key', 'wk_wrong'], t.env);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('The write key was refused for source csv-in');
  });
});
