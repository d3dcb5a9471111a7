import { ApiCommand } from '../../base-command.js';
import { connectorPath } from '../../api/paths.js';
import { nameArg } from '../../input/args.js';

export default class ConnectorsRemove extends ApiCommand<typeof ConnectorsRemove> {
  static override summary = 'Delete a connector (refused while a pipeline uses it).';
  static override args = { id: nameArg({ description: 'Connector id', expected: 'a connector id', required: true }) };
  static override examples = ['<%= config.bin %> connectors remove crm-out', '<%= config.bin %> connectors remove crm-out --json'];

  async run() {
    await this.client.delete(connectorPath(this.args.id));
    this.log(`Removed connector ${this.args.id}.`);
    return { removed: this.args.id };
  }
}
