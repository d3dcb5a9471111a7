import { Flags } from '@oclif/core';
import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers } from '../../api/types.js';
import { renderTable } from '../../output/table.js';

export default class ConnectorsList extends ApiCommand<typeof ConnectorsList> {
  static override summary = 'List connectors with their plugin, component and status.';
  static override flags = {
    kind: Flags.string({ summary: 'Only connectors of this kind.', options: ['source', 'transform', 'identity-resolver', 'destination'] }),
  };
  static override examples = [
    '<%= config.bin %> connectors list',
    '<%= config.bin %> connectors list --kind destination',
    '<%= config.bin %> connectors list --json',
  ];

  async run() {
    const { connectors } = await this.client.get<AdminAnswers.ConnectorList>('/connectors', { kind: this.flags.kind });
    if (connectors.length === 0) this.log(this.flags.kind ? `No ${this.flags.kind} connectors.` : 'No connectors yet. Add one with `weft connectors add`.');
    else {
      this.log(
        renderTable(connectors, [
          { header: 'ID', value: (c) => c.id },
          { header: 'KIND', value: (c) => c.kind },
          { header: 'PLUGIN/COMPONENT', value: (c) => `${c.plugin}/${c.component}` },
          { header: 'STATUS', value: (c) => (c.statusReason ? `${c.status}: ${c.statusReason}` : c.status) },
          { header: 'DESCRIPTION', value: (c) => c.description },
        ]),
      );
    }
    return { connectors };
  }
}
