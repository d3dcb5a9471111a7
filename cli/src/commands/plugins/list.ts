import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers } from '../../api/types.js';
import { renderTable } from '../../output/table.js';

export default class PluginsList extends ApiCommand<typeof PluginsList> {
  static override summary = 'List the loaded plugins and any that failed to load.';
  static override examples = ['<%= config.bin %> plugins list', '<%= config.bin %> plugins list --json'];

  async run() {
    const result = await this.client.get<AdminAnswers.PluginList>('/plugins');
    if (result.plugins.length === 0) this.log('No plugins are loaded.');
    else {
      this.log(
        renderTable(result.plugins, [
          { header: 'ID', value: (p) => p.id },
          { header: 'VERSION', value: (p) => p.version },
          { header: 'ORIGIN', value: (p) => p.origin },
          { header: 'COMPONENTS', value: (p) => p.components.map((c) => `${c.name} (${c.kind})`).join(', ') },
          { header: 'DESCRIPTION', value: (p) => p.description },
        ]),
      );
    }
    if (result.failures.length > 0) {
      this.log(`\n${result.failures.length} plugin(s) failed to load:`);
      for (const failure of result.failures) this.log(`  ${failure.specifier}: ${failure.error}`);
    }
    return result;
  }
}
