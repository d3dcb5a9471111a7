import { ApiCommand } from '../../base-command.js';
import { pipelinePath } from '../../api/paths.js';
import type { AdminAnswers } from '../../api/types.js';
import { formatTime } from '../../output/format.js';
import { describeFlow } from '../../output/pipeline.js';
import { renderFields } from '../../output/table.js';
import { nameArg } from '../../input/args.js';

export default class PipelinesShow extends ApiCommand<typeof PipelinesShow> {
  static override summary = "Show one pipeline's sources, transforms (with their on-error policy) and destinations.";
  static override args = { id: nameArg({ description: 'Pipeline id', expected: 'a pipeline id', required: true }) };
  static override examples = ['<%= config.bin %> pipelines show web-to-crm', '<%= config.bin %> pipelines show web-to-crm --json'];

  async run() {
    const { pipeline } = await this.client.get<AdminAnswers.PipelineDetail>(pipelinePath(this.args.id));
    const { sources, transforms, destinations } = pipeline.spec;
    this.log(
      renderFields([
        ['Pipeline', pipeline.id],
        ['Description', pipeline.description],
        ['Enabled', pipeline.enabled ? 'yes' : 'no'],
        ['Flow', describeFlow(pipeline)],
        ['Sources', sources.join(', ')],
        ['Transforms', transforms.map((t, i) => `${i + 1}. ${t.connector} (on error: ${t.onError})`).join('; ') || 'none'],
        ['Destinations', destinations.map((d) => `${d.connector} (actions: ${d.actions?.join(', ') ?? 'all'})`).join('; ') || 'none'],
        ['Updated', formatTime(pipeline.updatedAt)],
      ]),
    );
    return { pipeline };
  }
}
