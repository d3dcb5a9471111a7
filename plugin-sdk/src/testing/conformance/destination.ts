import type { DestinationAction, DestinationComponent } from '../../components.js';
import { secretPaths } from '../../config.js';
import type { TestEvent } from '../connector.js';
import type { SendRun } from '../destination.js';
import type { FakeRoutes, FakeScript } from '../fake-server.js';
import type { ConformanceCase } from './options.js';
import { assertNoSecrets, describeResults, fail, withVendor, type ResolvedConfig, type Subject } from './support.js';

/** How a vendor says each thing, as the suite plays it. */
const vendorAnswers = {
  unavailable: { status: 503, json: { error: 'service unavailable' } },
  rateLimited: { status: 429, headers: { 'retry-after': '7' }, json: { error: 'too many requests' } },
  rejected: { status: 400, json: { error: 'invalid field' } },
  unauthorized: { status: 401, json: { error: 'invalid credentials' } },
  forbidden: { status: 403, json: { error: 'forbidden' } },
  silent: { hang: true },
} satisfies Record<string, FakeScript>;

/** The cases every action of a destination must pass. */
export function destinationCases(subject: Subject): ConformanceCase[] {
  const component = subject.component as DestinationComponent;
  return Object.entries(component.actions).flatMap(([actionName, action]) => actionCases(subject, actionName, action));
}

interface Scenario {
  run: SendRun;
  resolved: ResolvedConfig;
}

function actionCases(subject: Subject, actionName: string, action: DestinationAction<unknown>): ConformanceCase[] {
  const subjectName = `${subject.plugin.id}/${subject.componentName} action '${actionName}'`;
  const deliver = (script: FakeScript | FakeRoutes, events: TestEvent[] = samplesFor(subject, actionName, action)): Promise<Scenario> =>
    withVendor(script, async (vendor) => {
      const resolved = subject.resolve(subject.options.config, vendor.url);
      const run = await subject.harness().destination(subject.componentName, { config: resolved.config }).send(actionName, events);
      const invalid = run.results.findIndex((result) => result.status === 'fail' && result.reason.startsWith('payload does not match'));
      if (invalid >= 0) fail(`sample event ${invalid + 1} does not map to a valid payload: ${(run.results[invalid] as { reason: string }).reason}`, resolved.secrets);
      if (vendor.requests.length === 0) {
        fail(`the action never called the fake vendor at ${vendor.url}; make the component's config point every URL at the vendorUrl it is given`, resolved.secrets);
      }
      return { run, resolved };
    });
  const expectEvery = (scenario: Scenario, status: string, when: string) => {
    if (!scenario.run.results.every((result) => result.status === status)) {
      fail(`when ${when}, every item should be '${status}', but the results were ${describeResults(scenario.run.results)}`, scenario.resolved.secrets);
    }
  };
  const cases: ConformanceCase[] = [
    {
      subject: subjectName,
      title: 'returns one result per event, in order, when the vendor accepts them',
      async run() {
        const events = enoughForSeveralBatches(samplesFor(subject, actionName, action), action);
        const scenario = await deliver(subject.acceptingVendor, events);
        const ids = scenario.run.results.map((result) => result.messageId);
        const expected = events.map((event) => event.messageId);
        if (JSON.stringify(ids) !== JSON.stringify(expected)) fail(`results should follow the events' order ${expected.join(', ')}, got ${ids.join(', ')}`, scenario.resolved.secrets);
        expectEvery(scenario, 'ok', 'the vendor accepts everything');
      },
    },
    {
      subject: subjectName,
      title: 'asks for a retry when the vendor answers 503',
      run: async () => expectEvery(await deliver(vendorAnswers.unavailable), 'retry', 'the vendor answers 503'),
    },
    {
      subject: subjectName,
      title: 'retries no sooner than Retry-After when the vendor answers 429',
      async run() {
        const scenario = await deliver(vendorAnswers.rateLimited);
        expectEvery(scenario, 'retry', 'the vendor answers 429 with Retry-After: 7');
        const delays = scenario.run.results.map((result) => (result.status === 'retry' ? result.retryAfterMs : undefined));
        if (!delays.every((delay) => delay !== undefined && delay >= 6_000 && delay <= 7_000)) {
          fail(`after 429 with Retry-After: 7, retryAfterMs should be 7000 (use classifyHttpResponse), got ${JSON.stringify(delays)}`, scenario.resolved.secrets);
        }
      },
    },
    {
      subject: subjectName,
      title: 'fails an item the vendor rejects with 400',
      run: async () => expectEvery(await deliver(vendorAnswers.rejected), 'fail', 'the vendor answers 400'),
    },
    {
      subject: subjectName,
      title: 'pauses the connector when the vendor refuses the credentials (401, 403)',
      async run() {
        expectEvery(await deliver(vendorAnswers.unauthorized), 'pause', 'the vendor answers 401');
        expectEvery(await deliver(vendorAnswers.forbidden), 'pause', 'the vendor answers 403');
      },
    },
    {
      subject: subjectName,
      title: 'asks for a retry when the vendor never answers',
      run: async () => expectEvery(await deliver(vendorAnswers.silent), 'retry', 'the vendor never answers (use ctx.fetch, which times out)'),
    },
  ];
  if (secretPaths(subject.component.config).length > 0) {
    cases.push({
      subject: subjectName,
      title: 'keeps its secrets out of logs and error messages',
      async run() {
        for (const script of [subject.acceptingVendor, vendorAnswers.rejected, vendorAnswers.unauthorized, vendorAnswers.unavailable]) {
          const { run, resolved } = await deliver(script);
          const reasons = run.results.flatMap((result, index) => ('reason' in result ? [{ where: `the reason of result ${index + 1}`, text: result.reason }] : []));
          assertNoSecrets(resolved.secrets, run.logs, reasons);
        }
      },
    });
  }
  return cases;
}

/** The sample events an action receives: those of its `types`. */
function samplesFor(subject: Subject, actionName: string, action: DestinationAction<unknown>): TestEvent[] {
  const events = subject.options.events ?? [];
  const matching = action.types ? events.filter((event) => action.types!.includes(event.type)) : events;
  if (matching.length === 0) {
    const types = action.types ? ` of type ${action.types.join(' or ')}` : '';
    fail(`there is no sample event${types} for action '${actionName}'; add some to components['${subject.componentName}'].events`);
  }
  return matching;
}

/** Enough events (with distinct ids) to fill more than one batch, within reason. */
function enoughForSeveralBatches(samples: TestEvent[], action: DestinationAction<unknown>): Array<TestEvent & { messageId: string }> {
  const count = action.batch ? Math.min(action.batch.maxItems + 1, 101) : Math.max(samples.length, 3);
  return Array.from({ length: count }, (_, index) => ({ ...samples[index % samples.length]!, messageId: `conformance-${index + 1}` }));
}
