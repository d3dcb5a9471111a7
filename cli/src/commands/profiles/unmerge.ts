import { Flags } from '@oclif/core';
import { ApiCommand } from '../../base-command.js';
import { profilePath } from '../../api/paths.js';
import { profileIdOf } from '../../api/profiles.js';
import type { AdminAnswers } from '../../api/types.js';
import { plural } from '../../output/format.js';
import { describeProfileBriefly } from '../../output/identity.js';
import { parseIdentifier } from '../../input/identifier.js';
import { nameArg } from '../../input/args.js';

export default class ProfilesUnmerge extends ApiCommand<typeof ProfilesUnmerge> {
  static override summary = 'Split a profile: take an identifier out of it, or remove one link, and print the profiles that result.';
  static override description =
    'With --identifier, an identifier that came in with a merged profile takes that profile out whole, with every profile that had been merged into it; one attached directly leaves with whatever only it links to. With --link, that one link (see `weft profiles explain`) is removed and the graph splits where nothing else holds it together. The profile that keeps the id is listed first; profiles that existed before a merge come back with their old ids.';
  static override args = {
    profile: nameArg({ description: 'Profile id, or an identifier such as email:ada@example.com', expected: 'a profile id or an identifier such as email:ada@example.com', required: true }),
  };
  static override flags = {
    identifier: Flags.string({ summary: 'Take this identifier (type:value) out of the profile.', exactlyOne: ['identifier', 'link'] }),
    link: Flags.integer({ summary: 'Remove this link (its id from `weft profiles explain`).', exactlyOne: ['identifier', 'link'], min: 1, max: Number.MAX_SAFE_INTEGER }),
    reason: Flags.string({ summary: 'Why, for the ledger.' }),
  };
  static override examples = [
    '<%= config.bin %> profiles unmerge prf_5b1f0c1e-8d2a-4f4e-9a57-2c8e1d3b6a90 --identifier anonymous_id:a-1',
    '<%= config.bin %> profiles unmerge email:ada@example.com --link 42 --reason "shared family tablet"',
    '<%= config.bin %> profiles unmerge prf_5b1f0c1e-8d2a-4f4e-9a57-2c8e1d3b6a90 --identifier email:ada@example.com --json',
  ];

  async run() {
    const target = this.flags.identifier === undefined ? { linkId: this.flags.link } : { identifier: parseIdentifier(this.flags.identifier, '--identifier') };
    const id = await profileIdOf(this.client, this.args.profile);
    const result = await this.client.post<AdminAnswers.UnmergeResult>(profilePath(id, '/unmerge'), { ...target, reason: this.flags.reason });
    this.log(`Unmerged ${id} into ${plural(result.profiles.length, 'profile')}:`);
    for (const [i, profile] of result.profiles.entries()) this.log(`  ${describeProfileBriefly(profile)}${i === 0 ? ' (kept the id)' : ''}`);
    return result;
  }
}
