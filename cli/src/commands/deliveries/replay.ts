import { Flags } from '@oclif/core';
import cliProgress from 'cli-progress';
import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers } from '../../api/types.js';
import { CliFailure } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { plural } from '../../output/format.js';
import { parseTimeFlag } from '../../input/values.js';

export default class DeliveriesReplay extends ApiCommand<typeof DeliveriesReplay> {
  static override summary = 'Re-drive dead letters: move them back to pending with their attempts reset.';
  static override description =
    'Replays in batches until none that match remain, with a progress bar on a terminal. --dry-run only counts what would be replayed. --since/--until filter on when the delivery died and take an ISO time or a duration back from now (30m, 6h, 7d).';
  static override flags = {
    connector: Flags.string({ summary: 'Only dead letters of this destination connector.' }),
    since: Flags.string({ summary: 'Died at or after this time (ISO, or 30m/6h/7d ago).' }),
    until: Flags.string({ summary: 'Died before this time (ISO, or 30m/6h/7d ago).' }),
    error: Flags.string({ summary: 'Last error contains this text.' }),
    'dry-run': Flags.boolean({ summary: 'Count what would be replayed; change nothing.' }),
    'batch-size': Flags.integer({ summary: 'Dead letters moved per request.', default: 500, min: 1, max: 5_000 }),
  };
  static override examples = [
    '<%= config.bin %> deliveries replay --connector crm-out --dry-run',
    '<%= config.bin %> deliveries replay --connector crm-out --since 6h',
    '<%= config.bin %> deliveries replay --error "HTTP 503" --json',
  ];

  async run() {
    const filter = {
      connector: this.flags.connector,
      since: parseTimeFlag('--since', this.flags.since),
      until: parseTimeFlag('--until', this.flags.until),
      error: this.flags.error,
    };
    const preview = await this.client.post<AdminAnswers.ReplayCounts>('/deliveries/replay', { ...filter, dryRun: true });
    if (this.flags['dry-run']) {
      this.log(`Would replay ${plural(preview.matched, 'dead letter')}${describeFilter(this.flags)}.`);
      return { dryRun: true, matched: preview.matched, replayed: 0, remaining: preview.matched };
    }
    if (preview.matched === 0) {
      this.log(`No dead letters match${describeFilter(this.flags)}.`);
      return { dryRun: false, matched: 0, replayed: 0, remaining: 0 };
    }
    const replayed = await this.#replayAll(filter, preview.matched);
    this.log(`Replayed ${plural(replayed, 'dead letter')}${describeFilter(this.flags)}; they are pending again.`);
    return { dryRun: false, matched: preview.matched, replayed, remaining: 0 };
  }

  async #replayAll(filter: Record<string, string | undefined>, expected: number): Promise<number> {
    const progress = this.#progress(expected);
    let replayed = 0;
    try {
      for (;;) {
        const step = await this.client.post<AdminAnswers.ReplayCounts>('/deliveries/replay', { ...filter, limit: this.flags['batch-size'] });
        replayed += step.replayed;
        progress.update(replayed, replayed + step.remaining);
        if (step.remaining === 0) return replayed;
        if (step.replayed === 0) {
          throw new CliFailure(`The server replayed nothing although ${plural(step.remaining, 'dead letter')} still match; stopping after ${replayed}`, ExitCode.failed, 'no_progress');
        }
      }
    } finally {
      progress.stop();
    }
  }

  /** A progress bar on a terminal; plain lines otherwise; nothing with --json. */
  #progress(total: number): { update(done: number, total: number): void; stop(): void } {
    if (this.jsonEnabled()) return { update() {}, stop() {} };
    if (process.stderr.isTTY) {
      const bar = new cliProgress.SingleBar(
        { format: 'Replaying [{bar}] {percentage}% | {value}/{total} dead letters | {eta_formatted} left', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return {
        update: (done, newTotal) => {
          bar.setTotal(newTotal);
          bar.update(done);
        },
        stop: () => bar.stop(),
      };
    }
    return { update: (done, newTotal) => this.log(`Replayed ${done}/${newTotal}`), stop() {} };
  }
}

function describeFilter(flags: { connector?: string | undefined; since?: string | undefined; until?: string | undefined; error?: string | undefined }): string {
  const parts = [
    flags.connector && `connector ${flags.connector}`,
    flags.since && `since ${flags.since}`,
    flags.until && `until ${flags.until}`,
    flags.error && `error containing "${flags.error}"`,
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
