import { setTimeout as sleep } from 'node:timers/promises';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers, MatchRun } from '../../api/types.js';
import { ExitCode } from '../../exit-codes.js';
import { formatDuration, plural } from '../../output/format.js';
import { startProgress } from '../../output/progress.js';
import { nameArg } from '../../input/args.js';

const pollIntervalMs = 200;

type RunCounts = { compared: number; linked: number; queued: number };

export default class IdentityMatch extends ApiCommand<typeof IdentityMatch> {
  static override summary = 'Run a probabilistic resolver over all profiles and wait for it: compared pairs, links made, pairs queued for review.';
  static override description =
    'Starts a batch run on the server, then follows it with progress on stderr (a bar on a terminal, plain lines otherwise, nothing with --json) until it is done; the summary goes to stdout. The resolver first trains its model on the profiles unless --no-train is given. Pairs above the upper threshold are linked; pairs between the thresholds go to `weft identity review list`. Exits with 1 when the run fails.';
  static override args = {
    resolver: nameArg({ description: 'Identity-resolver connector id (a probabilistic one)', expected: 'the connector id of an identity resolver', required: true }),
  };
  static override flags = {
    train: Flags.boolean({ summary: 'Train the model before matching (--no-train reuses the last model).', default: true, allowNo: true }),
  };
  static override examples = [
    '<%= config.bin %> identity match people-matcher',
    '<%= config.bin %> identity match people-matcher --no-train',
    '<%= config.bin %> identity match people-matcher --json || echo "the run failed"',
  ];

  async run() {
    const resolver = encodeURIComponent(this.args.resolver);
    const started = await this.client.post<AdminAnswers.MatchRunDetail>(`/identity/resolvers/${resolver}/runs`, { train: this.flags.train });
    const run = await this.#follow(started.run);
    if (this.jsonEnabled()) this.logJson({ run });
    else this.log(describeRun(run));
    if (run.status === 'failed' || run.status === 'interrupted') this.exit(ExitCode.failed);
  }

  /** Polls the run until it is no longer running, showing its progress. */
  async #follow(first: MatchRun): Promise<MatchRun> {
    const progress = startProgress<RunCounts>({
      json: this.jsonEnabled(),
      barFormat: 'Matching [{bar}] {percentage}% | {value}/{total} profiles | {compared} compared, {linked} linked, {queued} queued',
      line: (done, total, c) => `Matched ${done}/${total} profiles: ${c.compared} compared, ${c.linked} linked, ${c.queued} queued`,
      log: (line) => this.logToStderr(line),
    });
    let run = first;
    try {
      for (;;) {
        // Nothing to show before the run has counted its profiles, nor for one that ended without matching any.
        if (run.total > 0 && (run.status === 'running' || run.processed > 0)) progress.update(run.processed, run.total, { compared: run.compared, linked: run.linked, queued: run.queued });
        if (run.status !== 'running') return run;
        await sleep(pollIntervalMs);
        ({ run } = await this.client.get<AdminAnswers.MatchRunDetail>(`/identity/runs/${run.id}`));
      }
    } finally {
      progress.stop();
    }
  }
}

function describeRun(run: MatchRun): string {
  const took = run.finishedAt ? ` in ${formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))}` : '';
  const counts = `${plural(run.processed, 'profile')} of ${run.total}, ${plural(run.compared, 'pair')} compared, ${run.linked} linked, ${run.queued} queued for review`;
  if (run.status === 'interrupted') return `INTERRUPTED run ${run.id} of ${run.resolver}: ${run.error ?? 'its process stopped'} (${counts})`;
  if (run.status === 'failed') return `FAILED run ${run.id} of ${run.resolver}${took}: ${run.error ?? 'no reason given'} (${counts})`;
  return `Run ${run.id} of ${run.resolver} done${took}: ${counts}.`;
}
