// The benchmarks are not run by the suite (timing goals live in bench/), but they must still
// parse: a script broken by an edit is otherwise found only by the next person who runs it.
import { execFileSync } from 'node:child_process';
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
