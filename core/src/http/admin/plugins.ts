import { z } from 'zod';
import { notFound } from '../../errors.js';
import { installPlugin } from '../../plugins/install.js';
import type { LoadedPlugin } from '../../plugins/registry.js';
import { recordAudit } from './audit.js';
import { operation } from './operation.js';
import { pluginInfoSchema } from './schemas.js';

const tag = 'Plugins';

/** What the API shows of a loaded plugin: its manifest, where it came from and how it was named. */
export function pluginInfo(loaded: LoadedPlugin): z.output<typeof pluginInfoSchema> {
  return { ...loaded.manifest, origin: loaded.origin, specifier: loaded.specifier };
}

export const pluginsAnswer = z.object({
  plugins: z.array(pluginInfoSchema),
  failures: z.array(z.object({ specifier: z.string(), error: z.string() })),
});
export const pluginAnswer = z.object({ plugin: pluginInfoSchema });

export const pluginOperations = [
  operation(
    {
      method: 'get',
      path: '/plugins',
      tag,
      summary: 'List loaded plugins and the ones that failed to load',
      responses: { 200: { description: 'Plugins by id', schema: pluginsAnswer } },
    },
    async ({ c, services }) => {
      const { registry } = services.runtime;
      return c.json({ plugins: registry.list().map(pluginInfo), failures: registry.failures });
    },
  ),
  operation(
    {
      method: 'get',
      path: '/plugins/:id',
      tag,
      summary: 'Describe one plugin: components, config schemas, actions',
      responses: { 200: { description: 'The plugin', schema: pluginAnswer }, 404: { description: 'No plugin with this id is loaded' } },
    },
    async ({ c, services, param }) => {
      const loaded = services.runtime.registry.get(param('id'));
      if (!loaded) throw notFound('Plugin', param('id'));
      return c.json({ plugin: pluginInfo(loaded) });
    },
  ),
  operation(
    {
      method: 'post',
      path: '/plugins',
      tag,
      summary: 'Add a plugin by npm package name, package directory or file path',
      description: 'Paths are stored absolute (relative ones are resolved against the server\'s working directory). Answers 200 when the plugin was loaded already.',
      body: z.object({ specifier: z.string().min(1) }).strict(),
      responses: {
        201: { description: 'Loaded and remembered for every start', schema: pluginAnswer },
        200: { description: 'It was loaded already', schema: pluginAnswer },
        409: { description: 'Another plugin has the same id' },
      },
    },
    async ({ c, services, body, actor }) => {
      const { plugin, added } = await installPlugin(services.runtime.registry, services.runtime.db, body.specifier);
      if (!added) return c.json({ plugin: pluginInfo(plugin) }, 200);
      await recordAudit(services.runtime.db, {
        actor: actor.tokenId,
        action: 'plugin.add',
        target: `plugin:${plugin.plugin.id}`,
        details: { specifier: plugin.specifier, version: plugin.plugin.version },
      });
      return c.json({ plugin: pluginInfo(plugin) }, 201);
    },
  ),
];
