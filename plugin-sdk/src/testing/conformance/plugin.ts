import { configJsonSchema } from '../../config.js';
import type { PluginDefinition } from '../../plugin.js';
import { validatePlugin } from '../../validate.js';
import type { ConformanceCase, ConformanceOptions } from './options.js';
import { fail } from './support.js';

/** Names that hold credentials: `apiKey`, `access_token`, `clientSecret`, `password`, … */
const secretSoundingName = /(secret|password|passwd|passphrase|token|apikey|privatekey|accesskey|secretkey|credentials?)$/;

/** The cases about the plugin as a whole: it loads, its secrets are marked, every component is covered. */
export function pluginCases(plugin: PluginDefinition, options: ConformanceOptions): ConformanceCase[] {
  const subject = `${String(plugin.id)}`;
  return [
    {
      subject,
      title: 'is a well-formed plugin this SDK can load',
      async run() {
        const problems = validatePlugin(plugin);
        if (problems.length > 0) fail(`the host would refuse this plugin: ${problems.join('; ')}`);
      },
    },
    {
      subject,
      title: 'marks every config field that holds a credential with secret()',
      async run() {
        const unmarked = Object.entries(plugin.components).flatMap(([name, component]) =>
          unmarkedSecretFields(configJsonSchema(component.config))
            .filter((path) => !options.notSecret?.includes(path))
            .map((path) => `${name}: ${path}`),
        );
        if (unmarked.length > 0) {
          fail(`these fields sound like credentials but are not marked with secret(): ${unmarked.join(', ')} (list real non-secrets in notSecret)`);
        }
      },
    },
    {
      subject,
      title: 'has conformance options for every component',
      async run() {
        const missing = Object.keys(plugin.components).filter((name) => !options.components[name]);
        const unknown = Object.keys(options.components).filter((name) => !plugin.components[name]);
        if (missing.length > 0) fail(`give runConformance options for ${missing.map((name) => `components['${name}']`).join(', ')}`);
        if (unknown.length > 0) fail(`the plugin has no component ${unknown.join(', ')} (it has: ${Object.keys(plugin.components).join(', ')})`);
      },
    },
  ];
}

/**
 * Dotted paths of string fields whose names sound like credentials but that lack `writeOnly`
 * (which `secret()` sets) in the config's JSON Schema.
 */
function unmarkedSecretFields(schema: Record<string, unknown>, prefix = ''): string[] {
  const properties = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties).flatMap(([key, field]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (field['properties']) return unmarkedSecretFields(field, path);
    const variants = [field, ...((field['anyOf'] ?? []) as Array<Record<string, unknown>>)];
    const holdsText = variants.some((variant) => variant['type'] === 'string');
    const marked = variants.some((variant) => variant['writeOnly'] === true);
    const soundsSecret = secretSoundingName.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
    return holdsText && soundsSecret && !marked ? [path] : [];
  });
}
