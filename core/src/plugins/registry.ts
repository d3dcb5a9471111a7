import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { pluginManifest, type Component, type Plugin, type PluginManifest } from '@weft/plugin-sdk';
import { WeftError } from '../errors.js';
import { validatePluginShape } from './validate.js';

export type PluginOrigin = 'workspace' | 'installed';

export interface LoadedPlugin {
  plugin: Plugin;
  manifest: PluginManifest;
  origin: PluginOrigin;
  /** What it was loaded from: a package directory, an npm package name or a path. */
  specifier: string;
}

/** A plugin that could not be loaded, and why; shown by `weft plugins list` and `/readyz` details. */
export interface PluginLoadFailure {
  specifier: string;
  error: string;
}

/** The loaded plugins by id. A bad plugin is recorded as a failure and never takes the server down. */
export class PluginRegistry {
  readonly #plugins = new Map<string, LoadedPlugin>();
  readonly failures: PluginLoadFailure[] = [];

  list(): LoadedPlugin[] {
    return [...this.#plugins.values()].sort((a, b) => a.plugin.id.localeCompare(b.plugin.id));
  }

  get(id: string): LoadedPlugin | undefined {
    return this.#plugins.get(id);
  }

  /** The component a connector refers to, or a 400 naming what is missing. */
  component(pluginId: string, componentName: string): Component {
    const loaded = this.#plugins.get(pluginId);
    if (!loaded) {
      const known = this.list().map((p) => p.plugin.id).join(', ') || 'none';
      throw new WeftError(400, 'unknown_plugin', `Plugin '${pluginId}' is not loaded (loaded plugins: ${known})`);
    }
    const component = loaded.plugin.components[componentName];
    if (!component) {
      const known = Object.keys(loaded.plugin.components).join(', ');
      throw new WeftError(400, 'unknown_component', `Plugin '${pluginId}' has no component '${componentName}' (it has: ${known})`);
    }
    return component;
  }

  /** Validates and adds a plugin; throws a WeftError naming the plugin and the problem. */
  register(candidate: unknown, origin: PluginOrigin, specifier: string): LoadedPlugin {
    const problems = validatePluginShape(candidate);
    const id = (candidate as { id?: unknown } | null)?.id;
    const name = typeof id === 'string' ? `'${id}'` : `from ${specifier}`;
    if (problems.length > 0) throw new WeftError(400, 'invalid_plugin', `Plugin ${name} is invalid: ${problems.join('; ')}`);
    const plugin = candidate as Plugin;
    const existing = this.#plugins.get(plugin.id);
    if (existing && existing.specifier !== specifier) {
      throw new WeftError(409, 'duplicate_plugin', `Plugin '${plugin.id}' from ${specifier} has the same id as the one from ${existing.specifier}`);
    }
    const loaded: LoadedPlugin = { plugin, manifest: pluginManifest(plugin), origin, specifier };
    this.#plugins.set(plugin.id, loaded);
    return loaded;
  }

  /** Imports and registers one plugin; a failure is recorded and rethrown as a WeftError. */
  async load(specifier: string, origin: PluginOrigin, fromDir: string = process.cwd()): Promise<LoadedPlugin> {
    try {
      const module = (await import(resolveSpecifier(specifier, fromDir))) as { default?: unknown };
      return this.register(module.default, origin, specifier);
    } catch (error) {
      const message =
        error instanceof WeftError ? error.message : `Plugin from ${specifier} could not be loaded: ${(error as Error).message ?? String(error)}`;
      this.failures.push({ specifier, error: message });
      throw error instanceof WeftError ? error : new WeftError(400, 'plugin_load_failed', message);
    }
  }
}

/** Turns an npm package name, a package directory or a file path into something `import()` accepts. */
function resolveSpecifier(specifier: string, fromDir: string): string {
  const looksLikePath = specifier.startsWith('.') || isAbsolute(specifier);
  if (looksLikePath) {
    const path = resolve(fromDir, specifier);
    if (existsSync(join(path, 'package.json'))) return pathToFileURL(packageEntry(path)).href;
    return pathToFileURL(path).href;
  }
  const require = createRequire(join(fromDir, 'noop.js'));
  return pathToFileURL(require.resolve(specifier)).href;
}

/** The file a plugin package's `exports["."]` (or `main`) points at. */
function packageEntry(packageDir: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    main?: string;
    exports?: string | Record<string, string | Record<string, string>>;
  };
  const root = typeof pkg.exports === 'string' ? pkg.exports : pkg.exports?.['.'];
  const entry = typeof root === 'string' ? root : (root?.['import'] ?? root?.['default'] ?? pkg.main ?? 'index.js');
  return join(packageDir, entry);
}

/** The workspace's `plugins/` folder, found next to this package; undefined when Weft is installed elsewhere. */
export function defaultWorkspacePluginsDir(): string | undefined {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../plugins');
  return existsSync(dir) ? dir : undefined;
}

/** Package directories under `dir` whose package.json says `"weft": { "plugin": true }`. */
export function discoverPluginPackages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(dir, entry.name))
    .filter((path) => {
      const file = join(path, 'package.json');
      if (!existsSync(file)) return false;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { weft?: { plugin?: boolean } };
      return pkg.weft?.plugin === true;
    })
    .sort();
}
