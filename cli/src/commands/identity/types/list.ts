import { ApiCommand } from '../../../base-command.js';
import type { AdminAnswers, IdentifierType } from '../../../api/types.js';
import { describeLimit } from '../../../output/identity.js';
import { plural } from '../../../output/format.js';
import { renderTable } from '../../../output/table.js';

export default class IdentityTypesList extends ApiCommand<typeof IdentityTypesList> {
  static override summary = 'List identifier types: how values are normalised, how many a profile may hold, priority and blocked values.';
  static override description =
    'The built-in types (user_id, anonymous_id, email, phone, …) and custom ones. LIMIT is the most identifiers of that type one profile may hold (a merge that would exceed it is refused); PRIORITY: higher wins, an event belongs to the profile of its highest-priority identifier. BLOCKED counts the values and patterns never used to link (--json lists them). Change a type with `weft identity types set`.';
  static override examples = ['<%= config.bin %> identity types list', '<%= config.bin %> identity types list --json'];

  async run() {
    const { types } = await this.client.get<AdminAnswers.IdentifierTypeList>('/identity/types');
    this.log(
      renderTable(types, [
        { header: 'TYPE', value: (t) => t.type },
        { header: 'SCOPED', value: (t) => (t.scoped ? 'yes' : 'no') },
        { header: 'NORMALIZER', value: (t) => t.normalizer },
        { header: 'LIMIT', value: (t) => describeLimit(t.limit) },
        { header: 'PRIORITY', value: (t) => t.priority },
        { header: 'BLOCKED', value: describeBlocked },
        { header: 'BUILT-IN', value: (t) => (t.builtIn ? 'yes' : 'no') },
      ]),
    );
    return { types };
  }
}

/** `17 values, 1 pattern`; the lists themselves are long, --json has them. */
function describeBlocked(type: IdentifierType): string {
  const parts = [type.blocked.length > 0 && plural(type.blocked.length, 'value'), type.blockedPatterns.length > 0 && plural(type.blockedPatterns.length, 'pattern')];
  return parts.filter(Boolean).join(', ');
}
