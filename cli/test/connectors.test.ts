import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, parseJson, startTestServer, weft, type TestServer } from './support.js';

interface ConnectorJson {
  id: string;
  kind: string;
  status: string;
  config: Record<string, unknown>;
}

describe('weft connectors and plugins against a running server', { timeout: 20_000 }, () => {
  let t: TestServer;
  let unreachableUrl: string;
  beforeAll(async () => {
    t = await startTestServer();
    unreachableUrl = `http://127.0.0.1:${await closedPort()}/in`;
  });
  afterAll(async () => t?.close());

  it('adds a source and prints its write key once', async () => {
    const result = await weft(['connectors', 'add', 'shop-web', '--plugin', 'web-sdk', '--component', 'source', '--description', 'Shop website'], t.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Created source connector shop-web');
    expect(result.stdout).toMatch(/Write key \(shown only once; store it now\): wk_\S+/);
  });

  it('adds a destination from --set pairs and answers JSON with the secret redacted', async () => {
    const result = await weft(
      ['connectors', 'add', 'crm-out', '--plugin', 'webhook', '--component', 'destination', '--set', `url=${unreachableUrl}`, '--set', 'signingSecret=a-long-signing-secret', '--json'],
      t.env,
    );
    expect(result.code, result.stderr).toBe(0);
    const { connector, writeKey } = parseJson<{ connector: ConnectorJson; writeKey?: string }>(result.stdout);
    expect(connector).toMatchObject({ id: 'crm-out', kind: 'destination', status: 'active', config: { url: unreachableUrl, signingSecret: '[redacted]' } });
    expect(writeKey).toBeUndefined();
    expect(result.stdout).not.toContain('a-long-signing-secret');
  });

  it('lists connectors as a table, and as JSON filtered by kind', async () => {
    const table = await weft(['connectors', 'list'], t.env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+KIND\s+PLUGIN\/COMPONENT\s+STATUS/m);
    expect(table.stdout).toMatch(/^crm-out\s+destination\s+webhook\/destination\s+active/m);
    expect(table.stdout).toMatch(/^shop-web\s+source\s+web-sdk\/source\s+active\s+Shop website/m);

    const json = await weft(['connectors', 'list', '--kind', 'destination', '--json'], t.env);
    expect(parseJson<{ connectors: ConnectorJson[] }>(json.stdout).connectors.map((c) => c.id)).toEqual(['crm-out']);
  });

  it('shows the status of a destination with its queue counts', async () => {
    const human = await weft(['connectors', 'status', 'crm-out'], t.env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/State:\s+active/);
    expect(human.stdout).toMatch(/Pending:\s+0 \(0 due now, 0 retrying\)/);
    expect(human.stdout).toMatch(/Dead letters:\s+0/);

    const json = parseJson<{ connector: ConnectorJson; queue: { pending: number; dead: number } }>((await weft(['connectors', 'status', 'crm-out', '--json'], t.env)).stdout);
    expect(json.connector.id).toBe('crm-out');
    expect(json.queue).toMatchObject({ pending: 0, dead: 0 });
  });

  it('prints one line and exits with 1 when a connector test fails', async () => {
    const result = await weft(['connectors', 'test', 'crm-out'], t.env);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toMatch(/^FAILED crm-out: .+ \(\d+ ms\)$/m);

    const json = await weft(['connectors', 'test', 'crm-out', '--json'], t.env);
    expect(json.code).toBe(1);
    expect(parseJson<{ ok: boolean }>(json.stdout).ok).toBe(false);
  });

  it('disables a connector, refuses to enable it while its check fails, and enables it with --force', async () => {
    expect((await weft(['connectors', 'disable', 'crm-out'], t.env)).stdout).toContain('Connector crm-out is disabled.');
    const refused = await weft(['connectors', 'enable', 'crm-out'], t.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Connector 'crm-out' failed its check");
    const forced = await weft(['connectors', 'enable', 'crm-out', '--force', '--json'], t.env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(parseJson<{ connector: ConnectorJson }>(forced.stdout).connector.status).toBe('active');
  });

  it('exits with 2 and lists the field issues when a config is invalid', async () => {
    const result = await weft(['connectors', 'add', 'bad-out', '--plugin', 'webhook', '--component', 'destination', '--set', 'url=not-a-url'], t.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Error: Connector 'bad-out' config is invalid");
    expect(result.stderr).toMatch(/^ {2}config\.url: /m);
    expect(result.stderr).toMatch(/^ {2}config\.signingSecret: /m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('removes a connector; asking for it afterwards exits with 3', async () => {
    const removed = await weft(['connectors', 'remove', 'crm-out'], t.env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('Removed connector crm-out.');
    const status = await weft(['connectors', 'status', 'crm-out', '--json'], t.env);
    expect(status.code).toBe(3);
    expect(parseJson<{ error: { code: string; message: string } }>(status.stdout).error).toMatchObject({ code: 'not_found', message: "Connector 'crm-out' does not exist" });
  });

  it('lists the loaded plugins and shows the config fields of one, marking secrets', async () => {
    const list = parseJson<{ plugins: Array<{ id: string }> }>((await weft(['plugins', 'list', '--json'], t.env)).stdout);
    expect(list.plugins.map((p) => p.id)).toEqual(expect.arrayContaining(['jsonata', 'web-sdk', 'webhook']));

    const info = await weft(['plugins', 'info', 'webhook'], t.env);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/^Component destination \(destination\)/m);
    expect(info.stdout).toMatch(/^\s+signingSecret\s+string\s+yes\s+yes/m);
    expect(info.stdout).toMatch(/^\s+send\s+/m);
  });

  it('exits with 3 for a plugin or pipeline that does not exist', async () => {
    expect((await weft(['plugins', 'info', 'no-such-plugin'], t.env)).code).toBe(3);
    expect((await weft(['pipelines', 'show', 'no-such-pipeline'], t.env)).code).toBe(3);
  });

  it('uses the admin token the server wrote into the data dir when none is given', async () => {
    const result = await weft(['pipelines', 'list', '--json'], { WEFT_URL: t.url, WEFT_DATA_DIR: t.dataDir });
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson<{ pipelines: unknown[] }>(result.stdout).pipelines).toEqual([]);
  });

  it('exits with 4 when the server refuses the token', async () => {
    const result = await weft(['connectors', 'list', '--json', '--token', 'wt_not-a-real-token'], t.env);
    expect(result.code).toBe(4);
    expect(parseJson<{ error: { code: string } }>(result.stdout).error.code).toBe('unauthorized');
  });

  it('exits with 4 and says how to give a token when there is none', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'weft-cli-empty-'));
    try {
      const result = await weft(['connectors', 'list'], { WEFT_URL: t.url, WEFT_DATA_DIR: emptyDir });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('pass --token, set WEFT_ADMIN_TOKEN');
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
