import { ApiCommand } from '../../../base-command.js';
import type { AdminAnswers } from '../../../api/types.js';
import { describeLimit } from '../../../output/identity.js';
import { nameArg } from '../../../input/args.js';

export default class IdentityTypesReset extends ApiCommand<typeof IdentityTypesReset> {
  static override summary = 'Drop what was set for an identifier type: a built-in type returns to its defaults, a custom one goes back to trim, no limit.';
  static override description =
    'Identifiers already stored keep their values; the type settings apply to what arrives from now on. A built-in type with nothing set is left as it is; a type that is neither built in nor set exits with 3. A scoped custom type cannot be reset while identities of it are stored (that would make them unreachable). Types that `weft apply` manages come back on the next apply if they are still in weft.yaml.';
  static override args = { type: nameArg({ description: 'Identifier type, e.g. email or loyalty_id', expected: 'an identifier type such as email or loyalty_id', required: true }) };
  static override examples = ['<%= config.bin %> identity types reset email', '<%= config.bin %> identity types reset loyalty_id --json'];

  async run() {
    await this.client.delete(`/identity/types/${encodeURIComponent(this.args.type)}`);
    const { types } = await this.client.get<AdminAnswers.IdentifierTypeList>('/identity/types');
    const type = types.find((candidate) => candidate.type === this.args.type);
    this.log(
      type
        ? `Identifier type ${type.type} is back to its defaults: ${type.normalizer}, limit ${describeLimit(type.limit)}, priority ${type.priority}.`
        : `Identifier type ${this.args.type} no longer has settings of its own.`,
    );
    return { reset: this.args.type, type: type ?? null };
  }
}
