import { ApiCommand } from '../../base-command.js';
import { connectorPath } from '../../api/paths.js';
import type { AdminAnswers } from '../../api/types.js';
import { nameArg } from '../../input/args.js';

export default class ConnectorsDisable extends ApiCommand<typeof ConnectorsDisable> {
  static override summary = 'Disable a connector: a source stops accepting events, a destination stops delivering (its queue is kept).';
  static override args = { id: nameArg({ description: 'Connector id', expected: 'a connector id', required: true }) };
  static override examples = ['<%= config.bin %> connectors disable crm-out', '<%= config.bin %> connectors disable shop-web --json'];

  async run() {
    const result = await this.client.post<AdminAnswers.ConnectorDetail>(connectorPath(this.args.id, '/disable'));
    this.log(`Connector ${result.connector.id} is ${result.connector.status}.`);
    return result;
  }
}
