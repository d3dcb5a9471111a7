import cliProgress from 'cli-progress';

export interface Progress<Payload extends Record<string, string | number>> {
  update(done: number, total: number, payload: Payload): void;
  stop(): void;
}

export interface ProgressOptions<Payload extends Record<string, string | number>> {
  /** With --json nothing is shown. */
  json: boolean;
  /** cli-progress format for the bar: `{bar}`, `{percentage}`, `{value}`, `{total}`, `{eta_formatted}` and the payload's keys. */
  barFormat: string;
  /** The plain line printed instead of the bar when stderr is not a terminal. */
  line(done: number, total: number, payload: Payload): string;
  log(line: string): void;
}

/**
 * Progress of a long operation: a bar on stderr when it is a terminal, otherwise a plain line
 * through `log` each time the numbers move, and nothing with --json.
 *
 * @example
 * const progress = startProgress({ json: false, barFormat: 'Matching [{bar}] {value}/{total}', line: (d, t) => `${d}/${t}`, log: console.log });
 * progress.update(10, 100, {});
 * progress.stop();
 */
export function startProgress<Payload extends Record<string, string | number>>(options: ProgressOptions<Payload>): Progress<Payload> {
  if (options.json) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ format: options.barFormat, hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update(done, total, payload) {
        if (!started) {
          bar.start(total, done, payload);
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, payload);
      },
      stop: () => bar.stop(),
    };
  }
  let last: string | undefined;
  return {
    update(done, total, payload) {
      const line = options.line(done, total, payload);
      if (line !== last) options.log(line);
      last = line;
    },
    stop() {},
  };
}
