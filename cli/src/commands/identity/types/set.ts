import { Args, Flags } from '@oclif/core';
import { ApiCommand } from '../../../base-command.js';
import type { AdminAnswers } from '../../../api/types.js';
import { badInput } from '../../../errors.js';
import { describeLimit } from '../../../output/identity.js';
import { renderFields } from '../../../output/table.js';

export default class IdentityTypesSet extends ApiCommand<typeof IdentityTypesSet> {
  static override summary = 'Create or change an identifier type: normaliser, per-profile limit, priority, scope and blocked values.';
  static override description =
    'Only the settings given change. --blocked and --blocked-pattern replace the whole list, so repeat them for every value to keep. A blocked value (a shared test email, a placeholder phone) is never used to link profiles.';
  static override args = { type: Args.string({ description: 'Identifier type, e.g. email or loyalty_id', required: true }) };
  static override flags = {
    limit: Flags.string({ summary: 'Most identifiers of this type one profile may hold: a number, or `none`.' }),
    priority: Flags.integer({ summary: 'Higher wins: an event belongs to the profile of its highest-priority identifier.' }),
    normalizer: Flags.string({ summary: 'How values are normalised before they are stored and compared.', options: ['email', 'phone', 'lowercase', 'trim', 'none'] }),
    scoped: Flags.boolean({ summary: 'Values live in a scope (type:scope:value), e.g. per app.', allowNo: true }),
    blocked: Flags.string({ summary: 'A value never used to link profiles (repeatable; replaces the list).', multiple: true }),
    'blocked-pattern': Flags.string({ summary: 'A regular expression; matching values are never used to link (repeatable; replaces the list).', multiple: true }),
  };
  static override examples = [
    '<%= config.bin %> identity types set email --limit 1 --priority 80',
    '<%= config.bin %> identity types set loyalty_id --normalizer trim --limit none',
    '<%= config.bin %> identity types set wechat_openid --scoped',
    '<%= config.bin %> identity types set email --blocked test@example.com --blocked noreply@example.com --blocked-pattern "^test\\+.*@" --json',
  ];

  async run() {
    const f = this.flags;
    const body = {
      limit: f.limit === undefined ? undefined : parseLimit(f.limit),
      priority: f.priority,
      normalizer: f.normalizer,
      scoped: f.scoped,
      blocked: f.blocked,
      blockedPatterns: f['blocked-pattern']?.map(checkPattern),
    };
    const { type } = await this.client.request<AdminAnswers.IdentifierTypeDetail>('PUT', `/identity/types/${encodeURIComponent(this.args.type)}`, { body });
    this.log(`Identifier type ${type.type} saved.`);
    this.log(
      renderFields([
        ['Scoped', type.scoped ? 'yes' : 'no'],
        ['Normalizer', type.normalizer],
        ['Limit', describeLimit(type.limit)],
        ['Priority', type.priority],
        ['Blocked', type.blocked.join(', ') || 'none'],
        ['Blocked patterns', type.blockedPatterns.join(', ') || 'none'],
      ]),
    );
    return { type };
  }
}

function parseLimit(text: string): number | null {
  if (text === 'none') return null;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw badInput(`--limit must be a whole number of at least 1, or none, got '${text}'`);
  return Number(text);
}

function checkPattern(pattern: string): string {
  try {
    new RegExp(pattern);
  } catch (error) {
    throw badInput(`--blocked-pattern '${pattern}' is not a valid regular expression: ${(error as Error).message}`);
  }
  return pattern;
}
