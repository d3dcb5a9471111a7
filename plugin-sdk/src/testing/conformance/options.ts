import type { TestEvent } from '../connector.js';
import type { FakeRoutes, FakeScript } from '../fake-server.js';
import type { HookRequest } from '../source.js';

/** A config, or a function making one from the fake vendor's URL (`http://127.0.0.1:<port>`). */
export type ConfigInput = Record<string, unknown> | ((vendorUrl: string) => Record<string, unknown>);

/** How the suite runs one component. */
export interface ComponentConformance {
  /** A working config. Point every URL the component calls at `vendorUrl`, or the checks test nothing. */
  config: ConfigInput;
  /**
   * A config with credentials the vendor refuses, for the `check()` case (default: `config`;
   * the fake vendor answers 401 either way).
   */
  badCredentials?: ConfigInput;
  /** How the fake vendor answers when all is well (default: 200 `{}` to every request). Pull streams read from it. */
  vendor?: FakeScript | FakeRoutes;
  /** Destinations: events to deliver (each action gets those of its `types`). Transforms and resolvers: events to run. */
  events?: TestEvent[];
  /** Transforms: events the transform must drop. */
  dropped?: TestEvent[];
  /** Sources with `handle`: a well-formed request (signed with the config's secret, say) that yields events. */
  validRequest?: (config: Record<string, unknown>) => Request | HookRequest;
  /**
   * Sources with `handle`: malformed requests to try besides the built-in ones (empty, cut-off,
   * non-JSON bodies), e.g. correctly signed ones whose body is wrong, so the check reaches past
   * signature verification.
   */
  malformedRequests?: (config: Record<string, unknown>) => Array<Request | HookRequest>;
}

export interface ConformanceOptions {
  /** Every component of the plugin, by name. */
  components: Record<string, ComponentConformance>;
  /** Config field paths whose names sound secret but are not (e.g. `tokenType`). */
  notSecret?: string[];
  /** The fetch timeout during the suite, and so how long the "vendor never answers" case waits (default 1000 ms). */
  timeoutMs?: number;
}

/** One requirement, runnable on its own: `runConformance` registers each as an `it`. */
export interface ConformanceCase {
  /** What is under test: the plugin, a component or an action. */
  subject: string;
  /** The requirement, as a sentence. */
  title: string;
  run(): Promise<void>;
}
