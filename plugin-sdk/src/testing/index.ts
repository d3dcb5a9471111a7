/**
 * `@weft/plugin-sdk/testing`: run a plugin's components exactly as the host does, against a
 * local fake vendor, and check them with the conformance suite (which needs vitest).
 */
export { createHarness, type Harness, type HarnessOptions } from './harness.js';
export {
  HarnessError,
  makeEvent,
  type Captured,
  type CheckOutcome,
  type ConnectorHarness,
  type ConnectorOptions,
  type TestEvent,
} from './connector.js';
export type { DestinationHarness, ItemResult, SendOptions, SendRun } from './destination.js';
export type { HandleRun, HookRequest, InvalidEvent, ReadRun, SourceHarness } from './source.js';
export type { IdentifiersRun, IdentityResolverHarness, TransformHarness, TransformRun } from './transform.js';
export { createMemoryStore, createTestContext, renderLogLine, type LogLine, type RecordedFetch, type TestContext, type TestContextOptions } from './context.js';
export { startFakeServer, type FakeHandler, type FakeRequest, type FakeResponse, type FakeRoutes, type FakeScript, type FakeServer } from './fake-server.js';
export {
  conformanceCases,
  ConformanceError,
  type ComponentConformance,
  type ConfigInput,
  type ConformanceCase,
  type ConformanceOptions,
} from './conformance/index.js';
export { runConformance } from './conformance/register.js';
