import { Flags } from '@oclif/core';
import { ApiCommand } from '../../../base-command.js';
import type { AdminAnswers, Review } from '../../../api/types.js';
import { formatTime } from '../../../output/format.js';
import { describeTopFields, formatProbability } from '../../../output/identity.js';
import { renderTable } from '../../../output/table.js';

const pageSize = 500;

export default class IdentityReviewList extends ApiCommand<typeof IdentityReviewList> {
  static override summary = 'List probable matches queued for review: the two profiles, the probability and the fields that decided it.';
  static override description =
    'A probabilistic resolver queues a pair when its score falls between its thresholds. TOP FIELDS shows the fields with the largest weights (in bits: positive for a match, negative against). Decide with `weft identity review accept` or `reject`.';
  static override flags = {
    status: Flags.string({ summary: 'Only reviews in this status.', options: ['pending', 'accepted', 'rejected'], default: 'pending' }),
    limit: Flags.integer({ summary: 'At most this many reviews.', default: 50, min: 1, max: 10_000 }),
  };
  static override examples = [
    '<%= config.bin %> identity review list',
    '<%= config.bin %> identity review list --status accepted --limit 10',
    '<%= config.bin %> identity review list --json',
  ];

  async run() {
    const reviews = await this.#fetch();
    if (reviews.length === 0) this.log(`No ${this.flags.status} reviews.`);
    else {
      this.log(
        renderTable(reviews, [
          { header: 'ID', value: (r) => r.id },
          { header: 'RESOLVER', value: (r) => r.resolver },
          { header: 'PROFILES', value: (r) => `${r.profiles[0]} ↔ ${r.profiles[1]}` },
          { header: 'PROBABILITY', value: (r) => formatProbability(r.probability) },
          { header: 'TOP FIELDS', value: (r) => describeTopFields(r.fields) },
          { header: 'STATUS', value: (r) => r.status },
          { header: 'CREATED', value: (r) => formatTime(r.createdAt) },
        ]),
      );
    }
    return { reviews };
  }

  async #fetch(): Promise<Review[]> {
    const reviews: Review[] = [];
    let cursor: string | undefined;
    do {
      const limit = Math.min(pageSize, this.flags.limit - reviews.length);
      const page = await this.client.get<AdminAnswers.ReviewPage>('/identity/reviews', { status: this.flags.status, limit, cursor });
      reviews.push(...page.reviews);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && reviews.length < this.flags.limit);
    return reviews;
  }
}
