import { Flags } from '@oclif/core';
import { ApiCommand } from '../base-command.js';
import type { AdminAnswers, PlanStep } from '../api/types.js';
import { badInput } from '../errors.js';
import { readYamlFile } from '../input/files.js';
import { interpolateEnv } from '../input/interpolate.js';
import { describeDroppedDefaults } from '../output/identity.js';

const symbols: Record<PlanStep['action'], string> = { create: '+', update: '~', delete: '-', unchanged: '=' };

export default class Apply extends ApiCommand<typeof Apply> {
  static override summary = 'Make the server match a weft.yaml: plugins, identity configuration, connectors and pipelines.';
  static override description =
    'Reads the file, replaces ${ENV_VAR} (or ${ENV_VAR:-default}) from the environment, asks the server for a plan and prints it, then applies it unless --dry-run. Applying is idempotent: running it again with the same file changes nothing. Write keys of newly created sources are printed once.';
  static override flags = {
    file: Flags.string({ char: 'f', summary: 'The declarative config file.', default: 'weft.yaml' }),
    'dry-run': Flags.boolean({ summary: 'Print the plan only.' }),
  };
  static override examples = [
    '<%= config.bin %> apply -f weft.yaml --dry-run',
    'CRM_SECRET=s3cret-value <%= config.bin %> apply -f weft.yaml',
    '<%= config.bin %> apply -f weft.yaml --json',
  ];

  async run() {
    const file = this.flags.file;
    const config = interpolateEnv(readYamlFile(file), process.env, file);
    if (config === null || typeof config !== 'object' || Array.isArray(config)) throw badInput(`${file} must be a mapping with plugins, identity, connectors and pipelines`);

    const planned = await this.client.post<AdminAnswers.ApplyResult>('/apply', { config, dryRun: true });
    this.#printPlan(planned.plan);
    warnOfDroppedDefaults(planned.plan);
    const changes = planned.plan.filter((step) => step.action !== 'unchanged');
    if (this.flags['dry-run'] || changes.length === 0) {
      this.log(changes.length === 0 ? '\nNothing to change.' : `\nDry run: ${describeCounts(changes, false)}; nothing applied.`);
      return { ...planned, applied: false };
    }

    const result = await this.client.post<AdminAnswers.ApplyResult>('/apply', { config, dryRun: false });
    this.log(`\nApplied: ${describeCounts(result.plan, true)}.`);
    const keys = Object.entries(result.writeKeys ?? {});
    if (keys.length > 0) {
      this.log('\nWrite keys of new sources (shown only once; store them now):');
      for (const [connector, key] of keys) this.log(`  ${connector}: ${key}`);
    }
    return result;
  }

  #printPlan(plan: PlanStep[]): void {
    if (plan.length === 0) {
      this.log(`Plan: ${this.flags.file} declares nothing.`);
      return;
    }
    this.log('Plan:');
    // Kinds differ in length (`plugin`, `identity-settings`): pad to the longest so ids line up.
    const kindWidth = Math.max(...plan.map((step) => step.kind.length));
    for (const step of plan) {
      const changes = step.changes?.length ? ` (${step.changes.join(', ')})` : '';
      this.log(`  ${symbols[step.action]} ${step.action.padEnd(9)} ${step.kind.padEnd(kindWidth)} ${step.id}${changes}`);
    }
  }
}

/** One warning line on stderr per identifier type whose change drops default blocked values or patterns. */
function warnOfDroppedDefaults(plan: PlanStep[]): void {
  for (const step of plan) {
    const warning = describeDroppedDefaults(step.id, step.droppedDefaults);
    if (warning) process.stderr.write(`${warning} Give your values as addBlocked / addBlockedPatterns in the file to keep the defaults.\n`);
  }
}

/** `1 to create, 2 to update, 0 to delete`, or `1 created, 2 updated, 0 deleted` once done. */
function describeCounts(steps: PlanStep[], done: boolean): string {
  const count = (action: PlanStep['action']) => steps.filter((step) => step.action === action).length;
  const word = (action: 'create' | 'update' | 'delete') => (done ? `${action}d` : `to ${action}`);
  return (['create', 'update', 'delete'] as const).map((action) => `${count(action)} ${word(action)}`).join(', ');
}
