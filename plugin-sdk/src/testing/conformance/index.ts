import type { PluginDefinition } from '../../plugin.js';
import { destinationCases } from './destination.js';
import { checkCases } from './lifecycle.js';
import type { ConformanceCase, ConformanceOptions } from './options.js';
import { pluginCases } from './plugin.js';
import { sourceCases } from './source.js';
import { subjectFor } from './support.js';
import { identityResolverCases, transformCases } from './transform.js';

export type { ComponentConformance, ConfigInput, ConformanceCase, ConformanceOptions } from './options.js';
export { ConformanceError } from './support.js';

/**
 * Every conformance requirement for a plugin, as runnable cases: the plugin's shape, then per
 * component its `check()`, and what its kind must do (each destination action against a fake
 * vendor answering 200, 503, 429, 400, 401/403 or nothing; transforms; resolvers; sources).
 * `runConformance` registers them as tests; run one directly to see it fail.
 *
 * @example
 * const cases = conformanceCases(plugin, { components: { destination: { config: (url) => ({ url }), events } } });
 * await cases.find((c) => c.title.startsWith('asks for a retry when the vendor answers 503'))!.run();
 */
export function conformanceCases(plugin: PluginDefinition, options: ConformanceOptions): ConformanceCase[] {
  const timeoutMs = options.timeoutMs ?? 1_000;
  const components = Object.entries(plugin.components ?? {}).flatMap(([name, component]) => {
    const componentOptions = options.components[name];
    if (!componentOptions || component === null || typeof component !== 'object') return [];
    const subject = subjectFor(plugin, name, component, componentOptions, timeoutMs);
    const byKind = {
      destination: destinationCases,
      transform: transformCases,
      'identity-resolver': identityResolverCases,
      source: sourceCases,
    }[component.kind];
    return [...checkCases(subject), ...(byKind ? byKind(subject) : [])];
  });
  return [...pluginCases(plugin, options), ...components];
}
