import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers, JsonSchema, PluginComponentInfo } from '../../api/types.js';
import { renderFields, renderTable } from '../../output/table.js';
import { nameArg } from '../../input/args.js';

export default class PluginsInfo extends ApiCommand<typeof PluginsInfo> {
  static override summary = "Show a plugin's components, their config fields and actions.";
  static override args = { id: nameArg({ description: 'Plugin id, e.g. webhook', expected: 'a plugin id such as webhook', required: true }) };
  static override examples = ['<%= config.bin %> plugins info webhook', '<%= config.bin %> plugins info jsonata --json'];

  async run() {
    const { plugin } = await this.client.get<AdminAnswers.PluginDetail>(`/plugins/${encodeURIComponent(this.args.id)}`);
    this.log(
      renderFields([
        ['Plugin', `${plugin.id} ${plugin.version}`],
        ['Description', plugin.description],
        ['SDK', plugin.sdk],
        ['Origin', `${plugin.origin} (${plugin.specifier})`],
      ]),
    );
    for (const component of plugin.components) this.log(`\n${describeComponent(component)}`);
    return { plugin };
  }
}

function describeComponent(component: PluginComponentInfo): string {
  const lines = [`Component ${component.name} (${component.kind})${component.title ? ` — ${component.title}` : ''}`, `  ${component.description}`];
  const fields = configFields(component.configSchema, component.secretFields);
  if (fields.length > 0) {
    lines.push('', indent(renderTable(fields, [
      { header: 'CONFIG', value: (f) => f.path },
      { header: 'TYPE', value: (f) => f.type },
      { header: 'REQUIRED', value: (f) => (f.required ? 'yes' : '') },
      { header: 'SECRET', value: (f) => (f.secret ? 'yes' : '') },
      { header: 'DESCRIPTION', value: (f) => f.description },
    ])));
  }
  if (component.actions?.length) {
    lines.push('', indent(renderTable(component.actions, [
      { header: 'ACTION', value: (a) => a.name },
      { header: 'EVENT TYPES', value: (a) => a.types?.join(', ') ?? 'all' },
      { header: 'BATCH', value: (a) => (a.batch ? `up to ${a.batch.maxItems}` : '') },
      { header: 'DESCRIPTION', value: (a) => a.description },
    ])));
  }
  if (component.streams?.length) lines.push(`  Streams: ${component.streams.join(', ')}`);
  if (component.assets?.length) lines.push(`  Assets: ${component.assets.join(', ')}`);
  return lines.join('\n');
}

interface ConfigField {
  path: string;
  type: string;
  required: boolean;
  secret: boolean;
  description: string | undefined;
}

/** Flattens a config JSON Schema into one row per field (nested objects as dotted paths). */
function configFields(schema: JsonSchema, secretFields: string[], prefix = ''): ConfigField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, field]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    if (field.properties) return configFields(field, secretFields, path);
    const type = field.enum ? field.enum.map((v) => JSON.stringify(v)).join(' | ') : [field.type ?? 'any'].flat().join(' | ');
    return [{ path, type, required: required.has(name), secret: secretFields.includes(path) || field.writeOnly === true, description: field.description }];
  });
}

const indent = (text: string) => text.split('\n').map((line) => `  ${line}`).join('\n');
