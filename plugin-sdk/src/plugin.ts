import type { Component, ComponentKind } from './components.js';
import { configJsonSchema, secretPaths } from './config.js';

/** The SDK version plugins declare compatibility with (`sdk: '^0.1.0'`). */
export const SDK_VERSION = '0.1.0';

export interface PluginDefinition {
  /** Lower-case id, unique across loaded plugins: `webhook`, `wechat`, `acme-crm`. */
  id: string;
  version: string;
  /** Semver range of `@weft/plugin-sdk` this plugin was written for, e.g. `^0.1.0`. */
  sdk: string;
  description: string;
  /** Component name → component; a connector names one of them. */
  components: Record<string, Component>;
}

/** Marks a definition so the host can tell a plugin from any other default export. */
export const PLUGIN_MARK = Symbol.for('weft.plugin');

export type Plugin = PluginDefinition & { readonly [PLUGIN_MARK]: true };

/**
 * Defines a plugin. A plugin package's default export is the result.
 *
 * @example
 * export default definePlugin({ id: 'webhook', version: '0.1.0', sdk: '^0.1.0',
 *   description: 'Signed JSON webhooks in and out', components: { destination, source } })
 */
export function definePlugin(definition: PluginDefinition): Plugin {
  return Object.freeze({ ...definition, [PLUGIN_MARK]: true as const });
}

export interface ComponentManifest {
  name: string;
  kind: ComponentKind;
  title?: string;
  description: string;
  configSchema: Record<string, unknown>;
  secretFields: string[];
  actions?: Array<{ name: string; title?: string; description: string; types?: string[]; batch?: { maxItems: number } }>;
  streams?: string[];
  assets?: string[];
}

export interface PluginManifest {
  id: string;
  version: string;
  sdk: string;
  description: string;
  components: ComponentManifest[];
}

/** Describes a plugin without running any of its hooks: what `weft plugins info` shows. */
export function pluginManifest(plugin: PluginDefinition): PluginManifest {
  return {
    id: plugin.id,
    version: plugin.version,
    sdk: plugin.sdk,
    description: plugin.description,
    components: Object.entries(plugin.components).map(([name, component]) => {
      const manifest: ComponentManifest = {
        name,
        kind: component.kind,
        description: component.description,
        configSchema: configJsonSchema(component.config),
        secretFields: secretPaths(component.config),
      };
      if (component.title) manifest.title = component.title;
      if (component.kind === 'destination') {
        manifest.actions = Object.entries(component.actions).map(([actionName, action]) => ({
          name: actionName,
          description: action.description,
          ...(action.title ? { title: action.title } : {}),
          ...(action.types ? { types: action.types } : {}),
          ...(action.batch ? { batch: { maxItems: action.batch.maxItems } } : {}),
        }));
      }
      if (component.kind === 'source') {
        if (component.streams) manifest.streams = Object.keys(component.streams);
        if (component.assets) manifest.assets = Object.keys(component.assets);
      }
      return manifest;
    }),
  };
}
