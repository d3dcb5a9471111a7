import { ApiCommand } from '../../../base-command.js';
import type { AdminAnswers } from '../../../api/types.js';
import { formatProbability } from '../../../output/identity.js';
import { positiveIntegerArg } from '../../../input/args.js';

export default class IdentityReviewReject extends ApiCommand<typeof IdentityReviewReject> {
  static override summary = 'Reject a queued match: its two profiles stay apart.';
  static override args = { id: positiveIntegerArg({ description: 'Review id (from `weft identity review list`)', expected: 'a review id', required: true }) };
  static override examples = ['<%= config.bin %> identity review reject 17', '<%= config.bin %> identity review reject 17 --json'];

  async run() {
    const result = await this.client.post<AdminAnswers.ReviewDetail>(`/identity/reviews/${this.args.id}/reject`);
    const [a, b] = result.review.profiles;
    this.log(`Rejected review ${result.review.id} (${formatProbability(result.review.probability)}): ${a} and ${b} stay apart.`);
    return result;
  }
}
