// Command-line options of the benchmark scripts: `--help` lists them, and a mistyped option or a
// value that is not a number is one line and exit code 2, not a stack trace or a run on NaN.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * Parses `process.argv` against `options`: each is `{ type, default?, description, number? }`
 * (`number: true` on a string option: it must be a number, and arrives as one).
 *
 * @example
 * const args = benchArgs('node bench/febrl.js', { runs: { type: 'string', default: '1', number: true, description: 'repeat the run' } });
 */
export function benchArgs(command, options, { argv = process.argv.slice(2), exit = process.exit, print = console.log, printError = console.error } = {}) {
  const config = Object.fromEntries(
    Object.entries({ ...options, help: { type: 'boolean', description: 'print this list and exit' } }).map(([name, { type, default: value }]) => [
      name,
      value === undefined ? { type } : { type, default: value },
    ]),
  );
  const usage = () =>
    [
      `usage: ${command} [options]`,
      ...Object.entries({ ...options, help: { type: 'boolean', description: 'print this list and exit' } }).map(([name, option]) => {
        const flag = option.type === 'boolean' ? `--${name}${option.default === true ? ` / --no-${name}` : ''}` : `--${name} <${option.number ? 'n' : 'value'}>`;
        const fallback = option.default === undefined || option.type === 'boolean' ? '' : ` (default ${option.default})`;
        return `  ${flag.padEnd(30)} ${option.description ?? ''}${fallback}`;
      }),
    ].join('\n');
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: config, allowNegative: true, strict: true }));
  } catch (error) {
    printError(`${basename(command)}: ${error.message}\n${usage()}`);
    return exit(2);
  }
  if (values.help) {
    print(usage());
    return exit(0);
  }
  for (const [name, option] of Object.entries(options)) {
    if (!option.number || values[name] === undefined) continue;
    const number = Number(values[name]);
    if (values[name].trim() === '' || !Number.isFinite(number)) {
      printError(`${basename(command)}: --${name} must be a number, not "${values[name]}"\n${usage()}`);
      return exit(2);
    }
    values[name] = number;
  }
  return values;
}
