import { Flags } from '@oclif/core';
import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers, DeliveryAttempt, DeliveryView } from '../../api/types.js';
import { formatTime, relativeTime, truncate } from '../../output/format.js';
import { renderTable } from '../../output/table.js';
import { parseTimeFlag } from '../../input/values.js';

const pageSize = 500;

export default class DeliveriesList extends ApiCommand<typeof DeliveriesList> {
  static override summary = 'List deliveries (the per-destination outbox): status, attempts, next attempt, last error.';
  static override description =
    'Pending deliveries show when they will be tried next, so a retry schedule is visible; --history shows every attempt. Dead letters are status `dead` (replay them with `weft deliveries replay`). --since/--until filter on the last change and take an ISO time or a duration back from now (30m, 6h, 7d).';
  static override flags = {
    connector: Flags.string({ summary: 'Only deliveries to this destination connector.' }),
    status: Flags.string({ summary: 'Only deliveries in this status.', options: ['pending', 'delivered', 'dead'] }),
    since: Flags.string({ summary: 'Changed at or after this time (ISO, or 30m/6h/7d ago).' }),
    until: Flags.string({ summary: 'Changed before this time (ISO, or 30m/6h/7d ago).' }),
    error: Flags.string({ summary: 'Last error contains this text.' }),
    limit: Flags.integer({ summary: 'At most this many deliveries.', default: 50, min: 1, max: 10_000 }),
    history: Flags.boolean({ summary: 'Show every attempt of each delivery.' }),
  };
  static override examples = [
    '<%= config.bin %> deliveries list --connector crm-out',
    '<%= config.bin %> deliveries list --connector crm-out --status pending --history',
    '<%= config.bin %> deliveries list --status dead --since 24h --error 503',
    '<%= config.bin %> deliveries list --status dead --json',
  ];

  async run() {
    const deliveries = await this.#fetch();
    if (deliveries.length === 0) this.log('No deliveries match.');
    else if (this.flags.history) this.log(deliveries.map(describeWithHistory).join('\n\n'));
    else {
      this.log(
        renderTable(deliveries, [
          { header: 'ID', value: (d) => d.id },
          { header: 'CONNECTOR', value: (d) => d.connectorId },
          { header: 'ACTION', value: (d) => d.action },
          { header: 'STATUS', value: (d) => d.status },
          { header: 'ATTEMPTS', value: (d) => d.attempts },
          { header: 'NEXT ATTEMPT', value: nextAttempt },
          { header: 'LAST ERROR', value: (d) => truncate(d.lastError, 60) },
          { header: 'UPDATED', value: (d) => formatTime(d.updatedAt) },
        ]),
      );
    }
    return { deliveries };
  }

  async #fetch(): Promise<DeliveryView[]> {
    const query = {
      connector: this.flags.connector,
      status: this.flags.status,
      since: parseTimeFlag('--since', this.flags.since),
      until: parseTimeFlag('--until', this.flags.until),
      error: this.flags.error,
    };
    const deliveries: DeliveryView[] = [];
    let cursor: string | undefined;
    do {
      const limit = Math.min(pageSize, this.flags.limit - deliveries.length);
      const page = await this.client.get<AdminAnswers.DeliveryPage>('/deliveries', { ...query, limit, cursor });
      deliveries.push(...page.deliveries);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && deliveries.length < this.flags.limit);
    return deliveries;
  }
}

function nextAttempt(delivery: DeliveryView): string {
  if (delivery.status !== 'pending') return '-';
  return `${formatTime(delivery.nextAttemptAt)} (${relativeTime(delivery.nextAttemptAt)})`;
}

function describeWithHistory(delivery: DeliveryView): string {
  const head = `#${delivery.id}  ${delivery.connectorId}/${delivery.action}  ${delivery.status}  ${delivery.attempts} attempt(s)  message ${delivery.messageId}`;
  const next = delivery.status === 'pending' ? [`  next attempt ${nextAttempt(delivery)}`] : [];
  const attempts = delivery.history.length > 0 ? delivery.history.map(describeAttempt) : ['  (not attempted yet)'];
  return [head, ...attempts, ...next].join('\n');
}

function describeAttempt(attempt: DeliveryAttempt): string {
  const status = attempt.status === undefined ? '' : ` HTTP ${attempt.status}`;
  const error = attempt.error ? `: ${attempt.error}` : '';
  const retry = attempt.nextAttemptAt ? ` → retry at ${formatTime(attempt.nextAttemptAt)}` : '';
  return `  ${formatTime(attempt.at)}  ${attempt.outcome}${status}${error}${retry}`;
}
