import { isDeepStrictEqual } from 'node:util';
import { eventInputSchema } from '../../event.js';
import { describeIssues } from '../../issues.js';
import type { TestEvent } from '../connector.js';
import type { LogLine } from '../context.js';
import type { ConformanceCase } from './options.js';
import { assertNoSecrets, fail, withVendor, type ResolvedConfig, type Subject } from './support.js';

/** The cases of a transform: deterministic, valid output, drops by returning nothing. */
export function transformCases(subject: Subject): ConformanceCase[] {
  const subjectName = `${subject.plugin.id}/${subject.componentName}`;
  const open = (vendorUrl: string) => {
    const resolved = subject.resolve(subject.options.config, vendorUrl);
    return { resolved, transform: subject.harness().transform(subject.componentName, { config: resolved.config }) };
  };
  const cases: ConformanceCase[] = [
    {
      subject: subjectName,
      title: 'gives the same output for the same input, and keeps its secrets out of the logs',
      run: () =>
        withVendor(subject.acceptingVendor, async (vendor) => {
          const { resolved, transform } = open(vendor.url);
          const logs: LogLine[] = [];
          for (const [index, event] of samples(subject, 'events').entries()) {
            const first = await transform.run(withFixedIds(event, index));
            const second = await transform.run(withFixedIds(event, index));
            if (!isDeepStrictEqual(first.events, second.events)) {
              fail(`event ${index + 1} gave ${JSON.stringify(first.events)} the first time and ${JSON.stringify(second.events)} the second`, resolved.secrets);
            }
            logs.push(...first.logs, ...second.logs);
          }
          assertNoSecrets(resolved.secrets, logs, []);
        }),
    },
    {
      subject: subjectName,
      title: 'returns events the pipeline can carry on with',
      run: () =>
        withVendor(subject.acceptingVendor, async (vendor) => {
          const { resolved, transform } = open(vendor.url);
          for (const [index, event] of samples(subject, 'events').entries()) {
            const { events } = await transform.run(event);
            events.forEach((output, position) => assertValidEvent(output, `event ${index + 1} gave an output ${position + 1} that`, resolved));
          }
        }),
    },
  ];
  if (subject.options.dropped?.length) {
    cases.push({
      subject: subjectName,
      title: 'drops an event by returning null or undefined',
      run: () =>
        withVendor(subject.acceptingVendor, async (vendor) => {
          const { resolved, transform } = open(vendor.url);
          for (const [index, event] of samples(subject, 'dropped').entries()) {
            const { result } = await transform.run(event);
            if (result !== null && result !== undefined) fail(`dropped event ${index + 1} should give null or undefined, got ${JSON.stringify(result)}`, resolved.secrets);
          }
        }),
    });
  }
  return cases;
}

/** The cases of an identity resolver: well-formed identifiers, the same for the same event. */
export function identityResolverCases(subject: Subject): ConformanceCase[] {
  return [
    {
      subject: `${subject.plugin.id}/${subject.componentName}`,
      title: 'returns well-formed identifiers, the same for the same event',
      run: () =>
        withVendor(subject.acceptingVendor, async (vendor) => {
          const resolved = subject.resolve(subject.options.config, vendor.url);
          const resolver = subject.harness().identityResolver(subject.componentName, { config: resolved.config });
          for (const [index, event] of samples(subject, 'events').entries()) {
            const first = await resolver.identifiers(withFixedIds(event, index));
            const second = await resolver.identifiers(withFixedIds(event, index));
            if (!isDeepStrictEqual(first.identifiers, second.identifiers)) {
              fail(`event ${index + 1} gave ${JSON.stringify(first.identifiers)} the first time and ${JSON.stringify(second.identifiers)} the second`, resolved.secrets);
            }
            const malformed = first.identifiers.find((id) => typeof id?.type !== 'string' || id.type === '' || typeof id.value !== 'string' || id.value === '');
            if (malformed) fail(`event ${index + 1} gave the identifier ${JSON.stringify(malformed)}; each needs a non-empty string type and value`, resolved.secrets);
            assertNoSecrets(resolved.secrets, [...first.logs, ...second.logs], []);
          }
        }),
    },
  ];
}

function samples(subject: Subject, field: 'events' | 'dropped'): TestEvent[] {
  const events = subject.options[field] ?? [];
  if (events.length === 0) fail(`there are no sample events; add some to components['${subject.componentName}'].${field}`);
  return events;
}

/** Pins what ingest would otherwise generate per run, so two runs see the same event. */
function withFixedIds(event: TestEvent, index: number): TestEvent {
  const fixedTime = '2024-01-01T00:00:00.000Z';
  return Object.assign({ messageId: `conformance-${index + 1}`, timestamp: fixedTime, receivedAt: fixedTime }, event);
}

function assertValidEvent(event: unknown, what: string, resolved: ResolvedConfig): void {
  const parsed = eventInputSchema.safeParse(event);
  if (!parsed.success) fail(`${what} is not a valid event: ${describeIssues(parsed.error.issues, '(event)').join('; ')}`, resolved.secrets);
  if (typeof (event as { messageId?: unknown }).messageId !== 'string') fail(`${what} has no messageId`, resolved.secrets);
}
