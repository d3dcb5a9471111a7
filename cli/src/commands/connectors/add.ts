import { Flags } from '@oclif/core';
import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers } from '../../api/types.js';
import { readYamlFile } from '../../input/files.js';
import { interpolateEnv } from '../../input/interpolate.js';
import { applySetPairs, parseJsonObject } from '../../input/values.js';
import { badInput } from '../../errors.js';
import { nameArg } from '../../input/args.js';

export default class ConnectorsAdd extends ApiCommand<typeof ConnectorsAdd> {
  static override summary = 'Create a connector: a configured instance of a plugin component.';
  static override description =
    'Config comes from --config (JSON) or --config-file (YAML or JSON, with ${ENV_VAR} interpolation), then --set key=value pairs on top (dotted keys for nested fields). A source connector gets a write key, printed once.';
  static override args = { id: nameArg({ description: 'Connector id: lower-case letters, digits, - and _', expected: 'a connector id', required: true }) };
  static override flags = {
    plugin: Flags.string({ summary: 'Plugin id (see `weft plugins list`).', required: true }),
    component: Flags.string({ summary: "Component of the plugin (see `weft plugins info <plugin>`).", required: true }),
    description: Flags.string({ summary: 'What this connector is for.' }),
    config: Flags.string({ summary: 'Config as a JSON object.', exclusive: ['config-file'] }),
    'config-file': Flags.string({ summary: 'Config from a YAML or JSON file; ${ENV_VAR} is replaced from the environment.' }),
    set: Flags.string({ summary: 'A config field as key=value (repeatable; JSON values are parsed).', multiple: true }),
    settings: Flags.string({ summary: 'Host settings as a JSON object (retry, concurrency, rateLimitPerSecond, timeoutMs, actions).' }),
    disabled: Flags.boolean({ summary: 'Create it disabled.' }),
  };
  static override examples = [
    '<%= config.bin %> connectors add shop-web --plugin web-sdk --component source',
    `<%= config.bin %> connectors add crm-out --plugin webhook --component destination --config '{"url":"https://crm.example.com/hooks/weft","signingSecret":"s3cret-value"}'`,
    '<%= config.bin %> connectors add crm-out --plugin webhook --component destination --config-file crm-out.yaml --set url=https://crm.example.com/in',
    `<%= config.bin %> connectors add enrich --plugin jsonata --component transform --set 'expression=$merge([$, {"properties": {"enrichedBy": "weft"}}])' --json`,
  ];

  async run() {
    const config = applySetPairs(this.#baseConfig(), this.flags.set ?? []);
    const body = {
      id: this.args.id,
      plugin: this.flags.plugin,
      component: this.flags.component,
      description: this.flags.description,
      config,
      settings: this.flags.settings === undefined ? undefined : parseJsonObject('--settings', this.flags.settings),
      enabled: !this.flags.disabled,
    };
    const result = await this.client.post<AdminAnswers.ConnectorCreated>('/connectors', body);
    const { connector, writeKey } = result;
    this.log(`Created ${connector.kind} connector ${connector.id} (${connector.plugin}/${connector.component}, ${connector.status}).`);
    if (writeKey) this.log(`Write key (shown only once; store it now): ${writeKey}`);
    return result;
  }

  #baseConfig(): Record<string, unknown> {
    if (this.flags.config !== undefined) return parseJsonObject('--config', this.flags.config);
    const file = this.flags['config-file'];
    if (file === undefined) return {};
    const data = interpolateEnv(readYamlFile(file), process.env, file);
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) throw badInput(`${file} must hold a mapping of config fields`);
    return data as Record<string, unknown>;
  }
}
