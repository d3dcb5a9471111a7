import { ApiCommand } from '../../base-command.js';
import { profilePath } from '../../api/paths.js';
import { profileIdOf } from '../../api/profiles.js';
import type { AdminAnswers, Explanation } from '../../api/types.js';
import { formatTime, plural } from '../../output/format.js';
import { formatIdentifier, renderIdentities } from '../../output/identity.js';
import { renderTable } from '../../output/table.js';
import { nameArg } from '../../input/args.js';

export default class ProfilesExplain extends ApiCommand<typeof ProfilesExplain> {
  static override summary = "Explain why a profile's identifiers belong together: the links between them and the profile's ledger.";
  static override description =
    'Each link says which identifier was joined to which, by which rule, with what confidence, from which event and when; a removed link (after an unmerge) shows when it was removed. The ledger lists what happened to the profile, to the profiles merged into it and to others about it: created, merged, conflict, unmerged, review. PROFILE says whose row it is (an unmerge writes one row for each resulting profile); attaching an identifier writes no ledger row, its link is the record.';
  static override args = {
    profile: nameArg({ description: 'Profile id, or an identifier such as email:ada@example.com', expected: 'a profile id or an identifier such as email:ada@example.com', required: true }),
  };
  static override examples = [
    '<%= config.bin %> profiles explain email:ada@example.com',
    '<%= config.bin %> profiles explain prf_5b1f0c1e-8d2a-4f4e-9a57-2c8e1d3b6a90 --json',
  ];

  async run() {
    const profileId = await profileIdOf(this.client, this.args.profile);
    const { explanation } = await this.client.get<AdminAnswers.ExplanationDetail>(profilePath(profileId, '/explain'));
    const removed = explanation.links.filter((link) => link.removedAt !== null).length;
    this.log(
      `Profile ${explanation.profileId}: ${plural(explanation.identities.length, 'identity', 'identities')}, ${plural(explanation.links.length, 'link')}${removed > 0 ? ` (${removed} removed)` : ''}.`,
    );
    this.log(`\nIdentities:\n${renderIdentities(explanation)}`);
    this.log(`\nLinks:\n${this.#links(explanation)}`);
    this.log(`\nLedger:\n${this.#ledger(explanation)}`);
    return { explanation };
  }

  #links({ links }: Explanation): string {
    if (links.length === 0) return '  (none)';
    return renderTable(links, [
      { header: 'ID', value: (l) => l.id },
      { header: 'FROM', value: (l) => formatIdentifier(l.from) },
      { header: 'TO', value: (l) => formatIdentifier(l.to) },
      { header: 'RULE', value: (l) => l.rule },
      { header: 'CONFIDENCE', value: (l) => l.confidence },
      { header: 'EVENT', value: (l) => l.eventId },
      { header: 'AT', value: (l) => formatTime(l.at) },
      { header: 'REMOVED', value: (l) => (l.removedAt ? formatTime(l.removedAt) : 'no') },
    ]);
  }

  #ledger({ ledger }: Explanation): string {
    if (ledger.length === 0) return '  (empty)';
    return renderTable(ledger, [
      { header: 'TIME', value: (e) => formatTime(e.at) },
      { header: 'KIND', value: (e) => e.kind },
      { header: 'PROFILE', value: (e) => e.profileId },
      { header: 'SUMMARY', value: (e) => e.summary },
    ]);
  }
}
