import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers } from '../../api/types.js';
import { nameArg } from '../../input/args.js';

export default class PluginsAdd extends ApiCommand<typeof PluginsAdd> {
  static override summary = 'Load a plugin into the server and keep it loaded across restarts.';
  static override description =
    'The specifier is an npm package name the server can import, or a package directory or file. Relative paths are resolved from the current directory before they are sent, because the server may run elsewhere.';
  static override args = { specifier: nameArg({ description: 'npm package name, package directory or file path', expected: 'an npm package name, a package directory or a file path', required: true }) };
  static override examples = [
    '<%= config.bin %> plugins add @acme/weft-plugin-crm',
    '<%= config.bin %> plugins add ./plugins/acme-crm',
    '<%= config.bin %> plugins add /opt/weft/plugins/acme-crm/dist/index.js --json',
  ];

  async run() {
    const { plugin } = await this.client.post<AdminAnswers.PluginDetail>('/plugins', { specifier: absoluteIfPath(this.args.specifier) });
    this.log(`Added plugin ${plugin.id} ${plugin.version}: ${plugin.components.map((c) => `${c.name} (${c.kind})`).join(', ')}`);
    return { plugin };
  }
}

function absoluteIfPath(specifier: string): string {
  if (isAbsolute(specifier)) return specifier;
  if (specifier.startsWith('.') || existsSync(specifier)) return resolve(specifier);
  return specifier;
}
