import { ApiCommand } from '../../base-command.js';
import { connectorPath } from '../../api/paths.js';
import type { AdminAnswers } from '../../api/types.js';
import { ExitCode } from '../../exit-codes.js';
import { formatCursor, formatDuration } from '../../output/format.js';
import { renderTable } from '../../output/table.js';
import { nameArg } from '../../input/args.js';

export default class ConnectorsSync extends ApiCommand<typeof ConnectorsSync> {
  static override summary = "Read a pull source's streams now, from their saved cursors, and print what each run did.";
  static override description =
    'Waits until every stream has run. A stream another worker is reading shows as busy. Exits with 1 when a run failed or paused the source.';
  static override args = { id: nameArg({ description: 'Source connector id', expected: 'the id of a source connector', required: true }) };
  static override examples = ['<%= config.bin %> connectors sync crm-in', '<%= config.bin %> connectors sync crm-in --json'];

  async run() {
    const result = await this.client.post<AdminAnswers.ConnectorSync>(connectorPath(this.args.id, '/sync'));
    if (this.jsonEnabled()) this.logJson(result);
    else {
      this.log(
        renderTable(result.runs, [
          { header: 'STREAM', value: (run) => run.stream },
          { header: 'OUTCOME', value: (run) => (run.error ? `${run.outcome}: ${run.error}` : run.outcome) },
          { header: 'RECORDS', value: (run) => run.records },
          { header: 'NEW', value: (run) => run.accepted },
          { header: 'DUPLICATES', value: (run) => run.duplicates },
          { header: 'CURSOR', value: (run) => formatCursor(run.cursor) },
          { header: 'TOOK', value: (run) => formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt)) },
        ]),
      );
    }
    if (result.runs.some((run) => run.outcome === 'failed' || run.outcome === 'paused')) this.exit(ExitCode.failed);
  }
}
