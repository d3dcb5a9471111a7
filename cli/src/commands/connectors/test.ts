import { ApiCommand } from '../../base-command.js';
import { connectorPath } from '../../api/paths.js';
import type { AdminAnswers } from '../../api/types.js';
import { ExitCode } from '../../exit-codes.js';
import { nameArg } from '../../input/args.js';

export default class ConnectorsTest extends ApiCommand<typeof ConnectorsTest> {
  static override summary = "Run a connector's check (credentials, connectivity) and print one line.";
  static override description = 'Exits with 1 when the check fails, so it can gate a deploy script.';
  static override args = { id: nameArg({ description: 'Connector id', expected: 'a connector id', required: true }) };
  static override examples = ['<%= config.bin %> connectors test crm-out', '<%= config.bin %> connectors test crm-out --json || echo "crm-out is misconfigured"'];

  async run() {
    const result = await this.client.post<AdminAnswers.ConnectorCheck>(connectorPath(this.args.id, '/test'));
    if (this.jsonEnabled()) this.logJson(result);
    else this.log(`${result.ok ? 'ok' : 'FAILED'} ${this.args.id}: ${result.message} (${result.durationMs} ms)`);
    if (!result.ok) this.exit(ExitCode.failed);
  }
}
