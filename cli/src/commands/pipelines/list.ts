import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers } from '../../api/types.js';
import { describeFlow } from '../../output/pipeline.js';
import { renderTable } from '../../output/table.js';

export default class PipelinesList extends ApiCommand<typeof PipelinesList> {
  static override summary = 'List pipelines and how events flow through each.';
  static override examples = ['<%= config.bin %> pipelines list', '<%= config.bin %> pipelines list --json'];

  async run() {
    const { pipelines } = await this.client.get<AdminAnswers.PipelineList>('/pipelines');
    if (pipelines.length === 0) this.log('No pipelines yet. Define them in weft.yaml and run `weft apply -f weft.yaml`.');
    else {
      this.log(
        renderTable(pipelines, [
          { header: 'ID', value: (p) => p.id },
          { header: 'ENABLED', value: (p) => (p.enabled ? 'yes' : 'no') },
          { header: 'FLOW', value: describeFlow },
        ]),
      );
    }
    return { pipelines };
  }
}
