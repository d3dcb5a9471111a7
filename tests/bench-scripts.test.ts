// The benchmarks are not run by the suite (timing goals live in bench/), but they must still
// parse: a script broken by an edit is otherwise found only by the next person who runs it.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = fileURLToPath(new URL('../bench/', import.meta.url));
const scripts = ['.', 'lib'].flatMap((folder) =>
  readdirSync(join(bench, folder))
    .filter((name) => name.endsWith('.js'))
    .map((name) => join(folder, name)),
);

describe('bench scripts', () => {
  it('are there to check', () => {
    expect(scripts).toEqual(expect.arrayContaining(['identity.js', 'febrl.js', 'import.js', join('lib', 'identity-floor.js')]));
  });

  it.each(scripts)('%s parses', (script) => {
    expect(() => execFileSync(process.execPath, ['--check', join(bench, script)], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('bench options', () => {
  const run = (script: string, args: string[]) => spawnSync(process.execPath, [join(bench, script), ...args], { encoding: 'utf8' });

  it.each(['identity.js', 'import.js', 'run.js'])('%s lists its options on --help, and runs nothing', (script) => {
    const result = run(script, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: node bench/${script.replace('.', '\\.')} \\[options\\]`));
    expect(result.stdout).toContain('--help');
  });

  it.each(['identity.js', 'import.js', 'run.js'])('%s refuses a mistyped option in one line and the list, without a stack trace', (script) => {
    const result = run(script, ['--no-such-option']);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`${script}: Unknown option '--no-such-option'`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a number option that is not a number', () => {
    const result = run('identity.js', ['--events', '1e']);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('identity.js: --events must be a number, not "1e"');
  });
});
