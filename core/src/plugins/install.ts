import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Db } from '../db/client.js';
import { installedPlugins } from '../db/schema/index.js';
import type { LoadedPlugin, PluginRegistry } from './registry.js';

/**
 * Makes a path specifier absolute (relative to the server's working directory) so it still
 * means the same file after a restart from elsewhere; package names are kept as they are.
 *
 * @example
 * normalizeSpecifier('./my-plugin') // '/srv/weft/my-plugin'
 * normalizeSpecifier('@acme/weft-plugin-crm') // unchanged
 */
export function normalizeSpecifier(specifier: string): string {
  return specifier.startsWith('.') || isAbsolute(specifier) ? resolve(specifier) : specifier;
}

/**
 * The loaded plugin a specifier refers to: same specifier, or a package directory whose
 * package.json carries that npm name (workspace plugins are loaded by directory).
 */
export function findLoadedPlugin(registry: PluginRegistry, specifier: string): LoadedPlugin | undefined {
  const normalized = normalizeSpecifier(specifier);
  return registry.list().find((loaded) => loaded.specifier === normalized || packageName(loaded.specifier) === normalized);
}

/**
 * Loads a plugin and remembers it in `installed_plugins`, so it is loaded again on every start.
 * Answers `added: false` when it was loaded already. A plugin that fails to load is not stored.
 *
 * @example
 * const { plugin } = await installPlugin(runtime.registry, runtime.db, '/opt/plugins/acme-crm');
 */
export async function installPlugin(registry: PluginRegistry, db: Db, specifier: string): Promise<{ plugin: LoadedPlugin; added: boolean }> {
  const existing = findLoadedPlugin(registry, specifier);
  if (existing) return { plugin: existing, added: false };
  const normalized = normalizeSpecifier(specifier);
  const plugin = await registry.load(normalized, 'installed');
  await db.insert(installedPlugins).values({ specifier: normalized, pluginId: plugin.plugin.id }).onConflictDoNothing();
  return { plugin, added: true };
}

function packageName(dir: string): string | undefined {
  const file = join(dir, 'package.json');
  if (!isAbsolute(dir) || !existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name;
}
