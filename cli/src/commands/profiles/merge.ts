import { Flags } from '@oclif/core';
import { ApiCommand } from '../../base-command.js';
import { profilePath } from '../../api/paths.js';
import { profileIdOf } from '../../api/profiles.js';
import type { AdminAnswers } from '../../api/types.js';
import { renderIdentities } from '../../output/identity.js';
import { nameArg } from '../../input/args.js';

export default class ProfilesMerge extends ApiCommand<typeof ProfilesMerge> {
  static override summary = 'Merge two profiles by hand; the older one survives and keeps its id.';
  static override description =
    'The merge is recorded in both ledgers with the reason, and can be undone with `weft profiles unmerge`. The server refuses (exit 1) when an identifier type limit forbids it, e.g. two different emails where email is limited to one per profile; the message names the type.';
  static override args = {
    profile: nameArg({ description: 'Profile id, or an identifier such as email:ada@example.com', expected: 'a profile id or an identifier such as email:ada@example.com', required: true }),
    other: nameArg({ description: 'The other profile: id or identifier', expected: 'a profile id or an identifier such as email:ada@example.com', required: true }),
  };
  static override flags = {
    reason: Flags.string({ summary: 'Why, for the ledger.' }),
  };
  static override examples = [
    '<%= config.bin %> profiles merge prf_5b1f0c1e-8d2a-4f4e-9a57-2c8e1d3b6a90 prf_c07d3e52-1a9b-4c61-b8f0-7e4a2d95f13c --reason "same customer, confirmed by support"',
    '<%= config.bin %> profiles merge email:ada@example.com anonymous_id:a-1 --json',
  ];

  async run() {
    const [id, otherId] = await Promise.all([profileIdOf(this.client, this.args.profile), profileIdOf(this.client, this.args.other)]);
    const result = await this.client.post<AdminAnswers.MergeResult>(profilePath(id, '/merge'), { profileId: otherId, reason: this.flags.reason });
    this.log(`Merged ${result.merged.join(', ')} into ${result.profile.id}.`);
    this.log(`\nIdentities:\n${renderIdentities(result.profile)}`);
    return result;
  }
}
