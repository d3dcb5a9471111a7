import { Flags } from '@oclif/core';
import { ApiCommand } from '../../../base-command.js';
import type { AdminAnswers } from '../../../api/types.js';
import { badInput } from '../../../errors.js';
import { describeDroppedDefaults, describeLimit } from '../../../output/identity.js';
import { renderFields } from '../../../output/table.js';
import { nameArg } from '../../../input/args.js';

export default class IdentityTypesSet extends ApiCommand<typeof IdentityTypesSet> {
  static override summary = 'Create or change an identifier type: normaliser, per-profile limit, priority, scope and blocked values.';
  static override description =
    'Only the settings given change. A blocked value (a shared test email, a placeholder phone) is never used to link profiles. --add-blocked and --add-blocked-pattern add to the lists in force, keeping the built-in defaults (placeholders such as null or test, no-reply addresses); --blocked and --blocked-pattern replace a whole list, defaults included, and a warning on stderr names the defaults that dropped. Patterns that may take super-linear time on some values (nested quantifiers, such as ^(a+)+$) are refused. --scoped is fixed for built-in types, and cannot change for a custom type while identities of it are stored.';
  static override args = { type: nameArg({ description: 'Identifier type, e.g. email or loyalty_id', expected: 'an identifier type such as email or loyalty_id', required: true }) };
  static override flags = {
    limit: Flags.string({ summary: 'Most identifiers of this type one profile may hold: a number, or `none`.' }),
    priority: Flags.integer({ summary: 'Higher wins: an event belongs to the profile of its highest-priority identifier.' }),
    normalizer: Flags.string({ summary: 'How values are normalised before they are stored and compared.', options: ['email', 'phone', 'lowercase', 'trim', 'none'] }),
    scoped: Flags.boolean({ summary: 'Values live in a scope (type:scope:value), e.g. per app. Custom types only.', allowNo: true }),
    'add-blocked': Flags.string({ summary: 'Add a value never used to link profiles to the list in force (repeatable).', multiple: true }),
    'add-blocked-pattern': Flags.string({ summary: 'Add a regular expression to the patterns in force; matching values are never used to link (repeatable).', multiple: true }),
    blocked: Flags.string({ summary: 'Replace the blocked values, defaults included (repeatable).', multiple: true }),
    'blocked-pattern': Flags.string({ summary: 'Replace the blocked patterns, defaults included (repeatable).', multiple: true }),
  };
  static override examples = [
    '<%= config.bin %> identity types set email --limit 1 --priority 80',
    '<%= config.bin %> identity types set loyalty_id --normalizer trim --limit none',
    '<%= config.bin %> identity types set member_openid --scoped',
    '<%= config.bin %> identity types set email --add-blocked shared-inbox@example.com --add-blocked-pattern "@mailinator\\.com$" --json',
  ];

  async run() {
    const f = this.flags;
    const body = {
      limit: f.limit === undefined ? undefined : parseLimit(f.limit),
      priority: f.priority,
      normalizer: f.normalizer,
      scoped: f.scoped,
      blocked: f.blocked,
      blockedPatterns: f['blocked-pattern']?.map((pattern) => checkPattern('--blocked-pattern', pattern)),
      addBlocked: f['add-blocked'],
      addBlockedPatterns: f['add-blocked-pattern']?.map((pattern) => checkPattern('--add-blocked-pattern', pattern)),
    };
    const answer = await this.client.request<AdminAnswers.IdentifierTypeDetail>('PUT', `/identity/types/${encodeURIComponent(this.args.type)}`, { body });
    const { type } = answer;
    const warning = describeDroppedDefaults(type.type, answer.droppedDefaults);
    // On stderr also with --json: the JSON has `droppedDefaults`, a person watching the terminal sees this.
    if (warning) process.stderr.write(`${warning} Use --add-blocked / --add-blocked-pattern to extend the lists instead; \`weft identity types reset ${type.type}\` brings the defaults back.\n`);
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
    return answer;
  }
}

function parseLimit(text: string): number | null {
  if (text === 'none') return null;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw badInput(`--limit must be a whole number of at least 1, or none, got '${text}'`);
  return Number(text);
}

/** Syntax only, before any request; whether the pattern is safe to run is the server's check. */
function checkPattern(flag: string, pattern: string): string {
  try {
    new RegExp(pattern);
  } catch (error) {
    throw badInput(`${flag} '${pattern}' is not a valid regular expression: ${(error as Error).message}`);
  }
  return pattern;
}
