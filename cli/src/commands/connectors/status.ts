import { ApiCommand } from '../../base-command.js';
import { connectorPath } from '../../api/paths.js';
import type { AdminAnswers } from '../../api/types.js';
import { formatCursor, formatDuration, formatTime, relativeTime } from '../../output/format.js';
import { renderFields } from '../../output/table.js';
import { nameArg } from '../../input/args.js';

export default class ConnectorsStatus extends ApiCommand<typeof ConnectorsStatus> {
  static override summary = "Show a connector's state, why it is paused, its queue and recent errors.";
  static override args = { id: nameArg({ description: 'Connector id', expected: 'a connector id', required: true }) };
  static override examples = ['<%= config.bin %> connectors status crm-out', '<%= config.bin %> connectors status shop-web --json'];

  async run() {
    const status = await this.client.get<AdminAnswers.ConnectorStatus>(connectorPath(this.args.id, '/status'));
    const { connector, queue, ingest } = status;
    const fields: Array<[string, string | number | null]> = [
      ['Connector', `${connector.id} (${connector.kind}, ${connector.plugin}/${connector.component})`],
      ['State', connector.status],
    ];
    if (connector.statusReason) fields.push(['Reason', connector.statusReason]);
    if (connector.statusChangedAt) fields.push(['Since', `${formatTime(connector.statusChangedAt)} (${relativeTime(connector.statusChangedAt)})`]);
    if (queue) {
      fields.push(
        ['Pending', `${queue.pending} (${queue.due} due now, ${queue.retrying} retrying)`],
        ['Dead letters', queue.dead],
        ['Delivered', queue.delivered],
        ['Oldest pending', queue.oldestPendingAgeSeconds === null ? null : formatDuration(queue.oldestPendingAgeSeconds * 1_000)],
      );
    }
    if (ingest) fields.push(['Events received', ingest.events], ['Last event', ingest.lastEventAt ? `${formatTime(ingest.lastEventAt)} (${relativeTime(ingest.lastEventAt)})` : null]);
    for (const pull of status.pulls ?? []) {
      const last = pull.lastRun;
      const ran = last ? `last run ${last.outcome} ${relativeTime(last.finishedAt)}: ${last.records} records, ${last.accepted} new${last.error ? ` (${last.error})` : ''}` : 'never ran';
      fields.push([`Stream ${pull.stream}`, `${pull.running ? 'running; ' : ''}${ran}; cursor ${formatCursor(pull.cursor)}`]);
    }
    this.log(renderFields(fields));
    if (status.recentErrors.length > 0) {
      this.log('\nRecent errors:');
      for (const { at, error } of status.recentErrors) this.log(`  ${formatTime(at)}  ${error}`);
    }
    return status;
  }
}
