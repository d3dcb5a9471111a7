import type { Identifier, IdentityResolverComponent, TransformComponent, TransformResult } from '../components.js';
import type { WeftEvent } from '../event.js';
import { makeEvent, type Captured, type ConnectorHarness, type TestEvent } from './connector.js';

export interface TransformRun extends Captured {
  /** The events that go on down the pipeline: none when dropped, several when split. */
  events: WeftEvent[];
  /** Exactly what `transform` returned. */
  result: TransformResult;
}

export interface TransformHarness<Config = Record<string, unknown>> extends ConnectorHarness<Config> {
  /** Runs `transform` on one event; `prepare` runs once, before the first event, as on the host. */
  run(event: TestEvent): Promise<TransformRun>;
}

/** Adds `run` to a transform connector. */
export function transformHarness(component: TransformComponent, connector: ConnectorHarness): TransformHarness {
  let prepared: Promise<unknown> | undefined;
  return {
    ...connector,
    async run(input) {
      const event = makeEvent(input);
      const { value: result, logs, requests } = await connector.capture(async () => {
        prepared ??= Promise.resolve(component.prepare?.(connector.context));
        return component.transform(event, { ...connector.context, prepared: await prepared });
      });
      const events = result === null || result === undefined ? [] : Array.isArray(result) ? result : [result];
      return { events, result, logs, requests };
    },
  };
}

export interface IdentifiersRun extends Captured {
  identifiers: Identifier[];
}

export interface IdentityResolverHarness<Config = Record<string, unknown>> extends ConnectorHarness<Config> {
  identifiers(event: TestEvent): Promise<IdentifiersRun>;
}

/** Adds `identifiers` to an identity-resolver connector. */
export function identityResolverHarness(component: IdentityResolverComponent, connector: ConnectorHarness): IdentityResolverHarness {
  return {
    ...connector,
    async identifiers(input) {
      const event = makeEvent(input);
      const { value, logs, requests } = await connector.capture(async () => (component.identifiers ? component.identifiers(event, connector.context) : []));
      return { identifiers: value, logs, requests };
    },
  };
}
