import type { ComponentKind } from '../components.js';
import type { PluginDefinition } from '../plugin.js';
import { validatePlugin } from '../validate.js';
import { HarnessError, openConnector, type CheckOutcome, type ConnectorOptions } from './connector.js';
import { destinationHarness, type DestinationHarness } from './destination.js';
import { sourceHarness, type SourceHarness } from './source.js';
import { identityResolverHarness, transformHarness, type IdentityResolverHarness, type TransformHarness } from './transform.js';

/** Defaults for every connector a harness opens; each call may override them. */
export type HarnessOptions = Omit<ConnectorOptions, 'config'>;

/** Opens connectors of one plugin's components, each run exactly as the host runs it. */
export interface Harness {
  readonly plugin: PluginDefinition;
  destination(component: string, options: ConnectorOptions): DestinationHarness;
  transform(component: string, options: ConnectorOptions): TransformHarness;
  source(component: string, options: ConnectorOptions): SourceHarness;
  identityResolver(component: string, options: ConnectorOptions): IdentityResolverHarness;
  /** Runs a component's `check()` with a config: what `weft connectors test` does. */
  check(component: string, config: unknown): Promise<CheckOutcome>;
}

/**
 * Wraps a plugin for tests. The plugin is validated as the host validates it at load time, and
 * every connector's config is parsed with the component's schema (a bad one throws a
 * `HarnessError` naming each field).
 *
 * @example
 * const harness = createHarness(plugin);
 * const webhook = harness.destination('destination', { config: { url: vendor.url, signingSecret: 's3cret-value' } });
 * const run = await webhook.send('send', [{ type: 'track', event: 'Signed Up', userId: 'u1' }]);
 * expect(run.results[0]).toMatchObject({ status: 'ok' });
 */
export function createHarness(plugin: PluginDefinition, defaults: HarnessOptions = {}): Harness {
  const problems = validatePlugin(plugin);
  if (problems.length > 0) throw new HarnessError(`Plugin '${String(plugin.id)}' would not load: ${problems.join('; ')}`);
  const open = <Kind extends ComponentKind>(component: string, kind: Kind, options: ConnectorOptions) =>
    openConnector(plugin, component, kind, { ...defaults, ...options });
  return {
    plugin,
    destination(component, options) {
      const opened = open(component, 'destination', options);
      return destinationHarness(opened.component, opened.connector);
    },
    transform(component, options) {
      const opened = open(component, 'transform', options);
      return transformHarness(opened.component, opened.connector);
    },
    source(component, options) {
      const opened = open(component, 'source', options);
      return sourceHarness(opened.component, opened.connector);
    },
    identityResolver(component, options) {
      const opened = open(component, 'identity-resolver', options);
      return identityResolverHarness(opened.component, opened.connector);
    },
    async check(component, config) {
      return openConnector(plugin, component, undefined, { ...defaults, config }).connector.check();
    },
  };
}
