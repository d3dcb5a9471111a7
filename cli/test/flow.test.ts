import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, spawnWeft, startTestServer, waitFor, weft, type TestServer } from './support.js';

/** A local stand-in for a vendor's webhook endpoint that answers with `status`, counting events. */
async function startReceiver() {
  const receiver = { status: 400, events: 0, server: undefined as Server | undefined, url: '' };
  receiver.server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.method === 'POST' && receiver.status === 200) receiver.events += (JSON.parse(body) as { batch: unknown[] }).batch.length;
      response.writeHead(request.method === 'POST' ? receiver.status : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.server!.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as { port: number }).port}/in`;
  return receiver;
}

const weftYaml = `
version: 1
connectors:
  - id: shop-web
    plugin: web-sdk
    component: source
  - id: crm-out
    plugin: webhook
    component: destination
    config:
      url: \${CRM_URL}
      signingSecret: \${CRM_SECRET}
pipelines:
  - id: shop-to-crm
    sources: [shop-web]
    destinations: [crm-out]
`;

interface PlanJson {
  plan: Array<{ action: string; kind: string; id: string }>;
  writeKeys: Record<string, string>;
}

describe('weft apply, events and deliveries against a running server', { timeout: 60_000 }, () => {
  let t: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let file: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await startTestServer();
    receiver = await startReceiver();
    file = join(t.dataDir, 'weft.yaml');
    writeFileSync(file, weftYaml);
    env = { ...t.env, CRM_URL: receiver.url, CRM_SECRET: 'crm-signing-secret-123' };
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver?.server?.close(resolve));
    await t?.close();
  });

  it('names the missing environment variable and exits with 2', async () => {
    const result = await weft(['apply', '-f', file], t.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file} uses environment variables CRM_URL, CRM_SECRET that are not set`);
    expect(result.stderr).toContain('connectors.1.config.url: environment variable CRM_URL is not set');
  });

  it('prints the plan and changes nothing with --dry-run', async () => {
    const result = await weft(['apply', '-f', file, '--dry-run'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\+ create\s+connector\s+shop-web/);
    expect(result.stdout).toMatch(/\+ create\s+pipeline\s+shop-to-crm/);
    expect(result.stdout).toContain('nothing applied');
    expect(parseJson<{ connectors: unknown[] }>((await weft(['connectors', 'list', '--json'], env)).stdout).connectors).toEqual([]);
  });

  it('applies the plan, printing the new source write key once', async () => {
    const result = await weft(['apply', '-f', file], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Applied: 3 created, 0 updated, 0 deleted.');
    expect(result.stdout).toMatch(/^ {2}shop-web: wk_\S+$/m);
  });

  it('is idempotent: applying the same file again plans only unchanged items', async () => {
    const human = await weft(['apply', '-f', file], env);
    expect(human.stdout).toContain('Nothing to change.');
    const json = parseJson<PlanJson>((await weft(['apply', '-f', file, '--json'], env)).stdout);
    expect(json.plan.map((step) => `${step.action} ${step.kind} ${step.id}`).sort()).toEqual([
      'unchanged connector crm-out',
      'unchanged connector shop-web',
      'unchanged pipeline shop-to-crm',
    ]);
    expect(json.writeKeys).toEqual({});
  });

  it('prints identity items of the plan with their ids lined up', async () => {
    const withIdentity = join(t.dataDir, 'weft-identity.yaml');
    writeFileSync(withIdentity, `${weftYaml}identity:\n  types:\n    - { type: member_no, limit: 1 }\n    - { type: email, limit: 3 }\n  traitPrecedence:\n    - { sources: [shop-web] }\n`);
    const result = await weft(['apply', '-f', withIdentity, '--dry-run'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('  + create    identifier-type   member_no\n');
    expect(result.stdout).toContain('  ~ update    identifier-type   email (limit)\n');
    expect(result.stdout).toContain('  + create    identity-settings traitPrecedence\n');
    expect(result.stdout).toContain('  = unchanged connector         shop-web\n');
    expect(result.stdout).toContain('Dry run: 2 to create, 1 to update, 0 to delete; nothing applied.');
  });

  it('shows the applied pipeline', async () => {
    const result = await weft(['pipelines', 'show', 'shop-to-crm'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Flow:\s+shop-web → crm-out/);
  });

  it('tails events as JSON lines: one sent earlier, then one sent while tailing', async () => {
    const first = await weft(['events', 'send', '--source', 'shop-web', '--event', 'Order Completed', '--user-id', 'u-1', '--properties', '{"total":12.5}', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const { messageId: firstId } = parseJson<{ messageId: string; accepted: number }>(first.stdout);

    const tail = spawnWeft(['events', 'tail', '--json', '--source', 'shop-web', '--interval', '100'], env);
    const lines = (stdout: string) => stdout.split('\n').filter(Boolean).map((line) => parseJson<{ messageId: string; payload: Record<string, unknown> }>(line));
    try {
      await tail.waitForStdout('the earlier event', (stdout) => lines(stdout).some((event) => event.messageId === firstId));
      const second = await weft(['events', 'send', '--source', 'shop-web', '--type', 'identify', '--user-id', 'u-1', '--traits', '{"plan":"pro"}', '--message-id', 'tail-second'], env);
      expect(second.code, second.stderr).toBe(0);
      const event = await tail.waitForStdout('the new event', (stdout) => lines(stdout).find((e) => e.messageId === 'tail-second'));
      expect(event.payload).toMatchObject({ type: 'identify', userId: 'u-1', traits: { plan: 'pro' } });
    } finally {
      const stopped = await tail.stop('SIGINT');
      expect(stopped.code, stopped.stderr).toBe(0);
    }
  });

  it('sends events from a JSON Lines file, ignoring a duplicate messageId', async () => {
    const events = join(t.dataDir, 'events.jsonl');
    writeFileSync(events, ['{"type":"track","event":"Signed Up","userId":"u-2","messageId":"file-1"}', '', '{"type":"track","event":"Signed Up","userId":"u-2","messageId":"file-1"}'].join('\n'));
    const result = await weft(['events', 'send', '--source', 'shop-web', '--file', events, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result.stdout)).toEqual({ accepted: 1, duplicates: 1 });
  });

  it('lists dead letters with their attempts, counts them with replay --dry-run, and replays them', async () => {
    const sent = 3; // the two events sent above and the one from the file
    const dead = async () => parseJson<{ deliveries: Array<{ status: string; attempts: number; lastError: string | null }> }>((await weft(['deliveries', 'list', '--connector', 'crm-out', '--status', 'dead', '--json'], env)).stdout).deliveries;
    // The receiver answers 400 for now: a permanent failure, dead-lettered at once.
    await waitFor('three dead letters', async () => (await dead()).length === sent);
    for (const delivery of await dead()) expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastError: expect.stringContaining('400') });

    const table = await weft(['deliveries', 'list', '--connector', 'crm-out', '--history'], env);
    expect(table.stdout).toMatch(/^#\d+\s+crm-out\/send\s+dead\s+1 attempt\(s\)/m);
    expect(table.stdout).toMatch(/^\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+fail\b.*400/m);

    const dryRun = await weft(['deliveries', 'replay', '--connector', 'crm-out', '--dry-run', '--json'], env);
    expect(parseJson(dryRun.stdout)).toMatchObject({ dryRun: true, matched: sent, replayed: 0 });
    expect(await dead()).toHaveLength(sent);

    receiver.status = 200;
    const replay = await weft(['deliveries', 'replay', '--connector', 'crm-out', '--batch-size', '2'], env);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('Replayed 2/3');
    expect(replay.stdout).toContain('Replayed 3 dead letters (connector crm-out); they are pending again.');
    await waitFor('the replayed events at the receiver', () => receiver.events === sent);
    expect(await dead()).toEqual([]);
  });
});
