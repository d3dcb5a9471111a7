import { Flags } from '@oclif/core';
import { ApiCommand } from '../../base-command.js';
import { connectorPath } from '../../api/paths.js';
import type { AdminAnswers } from '../../api/types.js';
import { nameArg } from '../../input/args.js';

export default class ConnectorsEnable extends ApiCommand<typeof ConnectorsEnable> {
  static override summary = "Enable a connector (or resume a paused one) after its check passes.";
  static override description = "The server runs the component's check() first and refuses with its message when it fails; --force skips the check.";
  static override args = { id: nameArg({ description: 'Connector id', expected: 'a connector id', required: true }) };
  static override flags = { force: Flags.boolean({ summary: 'Enable without running the check.' }) };
  static override examples = ['<%= config.bin %> connectors enable crm-out', '<%= config.bin %> connectors enable crm-out --force --json'];

  async run() {
    const result = await this.client.post<AdminAnswers.ConnectorDetail>(connectorPath(this.args.id, '/enable'), {}, { force: this.flags.force || undefined });
    this.log(`Connector ${result.connector.id} is ${result.connector.status}.`);
    return result;
  }
}
