import { ApiCommand } from '../../../base-command.js';
import type { AdminAnswers } from '../../../api/types.js';
import { describeProfileBriefly, formatProbability } from '../../../output/identity.js';
import { positiveIntegerArg } from '../../../input/args.js';

export default class IdentityReviewAccept extends ApiCommand<typeof IdentityReviewAccept> {
  static override summary = 'Accept a queued match: merge its two profiles.';
  static override description = 'The merge is recorded in the ledger as a review decision and can be undone with `weft profiles unmerge`.';
  static override args = { id: positiveIntegerArg({ description: 'Review id (from `weft identity review list`)', expected: 'a review id', required: true }) };
  static override examples = ['<%= config.bin %> identity review accept 17', '<%= config.bin %> identity review accept 17 --json'];

  async run() {
    const result = await this.client.post<AdminAnswers.ReviewAccepted>(`/identity/reviews/${this.args.id}/accept`);
    const [a, b] = result.review.profiles;
    this.log(`Accepted review ${result.review.id} (${formatProbability(result.review.probability)}): merged ${a} and ${b} into ${result.profile.id}.`);
    this.log(`  ${describeProfileBriefly(result.profile)}`);
    return result;
  }
}
