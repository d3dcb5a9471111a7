import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, closedPort, parseJson, weft } from './support.js';

/** Every command the CLI promises (docs/cli.md). */
const commands = [
  'start',
  'migrate',
  'apply',
  'import',
  'plugins list',
  'plugins info',
  'plugins add',
  'connectors list',
  'connectors add',
  'connectors enable',
  'connectors disable',
  'connectors test',
  'connectors status',
  'connectors sync',
  'connectors remove',
  'pipelines list',
  'pipelines show',
  'events send',
  'events tail',
  'deliveries list',
  'deliveries replay',
  'profiles get',
  'profiles explain',
  'profiles merge',
  'profiles unmerge',
  'identity match',
  'identity review list',
  'identity review accept',
  'identity review reject',
  'identity types list',
  'identity types reset',
  'identity types set',
];

describe('weft help and usage', { timeout: 20_000 }, () => {
  beforeAll(() => assertCliBuilt());

  it('shows examples, --json and a summary in the help of every command', async () => {
    const results = await Promise.all(commands.map((command) => weft([...command.split(' '), '--help'], {})));
    results.forEach((result, i) => {
      const command = commands[i]!;
      expect(result.code, `${command} --help: ${result.stderr}`).toBe(0);
      expect(result.stdout, command).toContain('EXAMPLES');
      expect(result.stdout, command).toContain(`$ weft ${command}`);
      expect(result.stdout, command).toContain('--json');
    });
  });

  it('lists every command in the oclif manifest written by the build', () => {
    const script = fileURLToPath(new URL('../scripts/manifest.js', import.meta.url));
    execFileSync(process.execPath, [script], { stdio: 'pipe' });
    const manifest = parseJson<{ commands: Record<string, unknown> }>(readFileSync(fileURLToPath(new URL('../oclif.manifest.json', import.meta.url)), 'utf8'));
    expect(Object.keys(manifest.commands).sort()).toEqual(commands.map((command) => command.replaceAll(' ', ':')).sort());
  });

  it('exits with 2 and one message for an unknown flag', async () => {
    const result = await weft(['connectors', 'list', '--no-such-flag'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--no-such-flag');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits with 2 and names the flag when --properties is not JSON, before calling any server', async () => {
    const result = await weft(['events', 'send', '--source', 'web', '--event', 'A', '--user-id', 'u', '--properties', '{nope'], { WEFT_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--properties is not valid JSON');
  });

  it('exits with 5 and says where it looked when the server cannot be reached, as JSON with --json', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const human = await weft(['connectors', 'list', '--token', 'whatever-token'], { WEFT_URL: url });
    expect(human.code).toBe(5);
    expect(human.stderr).toContain(`Cannot reach Weft at ${url}`);
    expect(human.stderr).not.toMatch(/\n\s+at /);

    const json = await weft(['connectors', 'list', '--json', '--url', url, '--token', 'whatever-token'], {});
    expect(json.code).toBe(5);
    expect(parseJson<{ error: { code: string } }>(json.stdout).error.code).toBe('unreachable');
  });
});
