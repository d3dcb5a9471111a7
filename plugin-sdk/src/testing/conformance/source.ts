import type { SourceComponent } from '../../components.js';
import { isPluginError } from '../../errors.js';
import type { HookRequest } from '../source.js';
import type { ConformanceCase } from './options.js';
import { assertNoSecrets, fail, withVendor, type ResolvedConfig, type Subject } from './support.js';

/** Bodies no source should take for events: empty, cut off, not JSON, JSON null, binary noise. */
const builtInMalformedRequests: HookRequest[] = [
  { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' },
  { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"track","event":' },
  { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' },
  { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml><ToUserName><![CDATA[' },
  { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0xff, 0xfe, 0x00, 0x7b, 0x22]) },
];

/** The cases of a source: `handle` refuses garbage cleanly and takes good requests; pull streams read and fail classified. */
export function sourceCases(subject: Subject): ConformanceCase[] {
  const component = subject.component as SourceComponent;
  const subjectName = `${subject.plugin.id}/${subject.componentName}`;
  const open = (vendorUrl: string) => {
    const resolved = subject.resolve(subject.options.config, vendorUrl);
    return { resolved, source: subject.harness().source(subject.componentName, { config: resolved.config }) };
  };
  const cases: ConformanceCase[] = [];
  if (component.handle) {
    cases.push({
      subject: subjectName,
      title: 'rejects malformed requests with a validation or auth error, never a crash',
      run: () =>
        withVendor(subject.acceptingVendor, async (vendor) => {
          const { resolved, source } = open(vendor.url);
          for (const request of [...builtInMalformedRequests, ...(subject.options.malformedRequests?.(resolved.config) ?? [])]) {
            const what = request instanceof Request ? `the request ${request.method} ${request.url}` : `a ${request.method ?? 'GET'} with the body ${describeBody(request.body)}`;
            let outcome: Awaited<ReturnType<typeof source.handle>>;
            try {
              outcome = await source.handle(request);
            } catch (error) {
              // The host answers a SyntaxError (from `request.json()` on a bad body) with a 400 too.
              if ((isPluginError(error) && (error.kind === 'validation' || error.kind === 'auth')) || error instanceof SyntaxError) {
                assertNoSecrets(resolved.secrets, source.logs, [{ where: 'the error message', text: error.message }]);
                continue;
              }
              const name = error instanceof Error ? error.name : typeof error;
              fail(`${what} made handle() throw ${name}: ${(error as Error)?.message}; throw a ValidationError (or AuthError) instead`, resolved.secrets);
            }
            if (outcome.response.status < 400 || outcome.events.length > 0) {
              fail(`${what} was accepted (${outcome.response.status}, ${outcome.events.length} events); reject it with a ValidationError or AuthError`, resolved.secrets);
            }
          }
        }),
    });
    if (subject.options.validRequest) {
      const validRequest = subject.options.validRequest;
      cases.push({
        subject: subjectName,
        title: 'turns a well-formed request into valid events',
        run: () =>
          withVendor(subject.acceptingVendor, async (vendor) => {
            const { resolved, source } = open(vendor.url);
            const run = await source.handle(validRequest(resolved.config));
            if (run.response.status >= 400) fail(`the well-formed request was answered ${run.response.status}: ${await run.response.text()}`, resolved.secrets);
            if (run.events.length === 0) fail('the well-formed request gave no events', resolved.secrets);
            if (run.invalid.length > 0) fail(`ingest would reject event ${run.invalid[0]!.index + 1}: ${run.invalid[0]!.issues.join('; ')}`, resolved.secrets);
            assertNoSecrets(resolved.secrets, run.logs, []);
          }),
      });
    }
  }
  for (const streamName of Object.keys(component.streams ?? {})) cases.push(...streamCases(subject, subjectName, streamName, open));
  return cases;
}

function streamCases(
  subject: Subject,
  subjectName: string,
  streamName: string,
  open: (vendorUrl: string) => { resolved: ResolvedConfig; source: ReturnType<ReturnType<Subject['harness']>['source']> },
): ConformanceCase[] {
  const stream = `${subjectName} stream '${streamName}'`;
  const readFailure = async (status: number) =>
    withVendor({ status, json: { error: `status ${status}` } }, async (vendor) => {
      const { resolved, source } = open(vendor.url);
      try {
        await source.read(streamName);
      } catch (error) {
        assertNoSecrets(resolved.secrets, source.logs, [{ where: 'the error message', text: error instanceof Error ? error.message : String(error) }]);
        return { error, resolved };
      }
      return fail(`read() finished without an error although the vendor answered ${status} to every request`, resolved.secrets);
    });
  return [
    {
      subject: stream,
      title: 'yields valid records and well-formed checkpoints',
      run: () =>
        withVendor(subject.acceptingVendor, async (vendor) => {
          const { resolved, source } = open(vendor.url);
          const run = await source.read(streamName);
          if (run.records.length === 0) fail(`read() yielded no records; script the vendor's answer with components['${subject.componentName}'].vendor`, resolved.secrets);
          if (run.invalid.length > 0) fail(`ingest would reject record ${run.invalid[0]!.index + 1}: ${run.invalid[0]!.issues.join('; ')}`, resolved.secrets);
          const badCheckpoint = run.checkpoints.find((cursor) => !['string', 'number'].includes(typeof cursor?.value) || (cursor.id !== undefined && typeof cursor.id !== 'string'));
          if (badCheckpoint !== undefined) fail(`the checkpoint ${JSON.stringify(badCheckpoint)} is not a cursor { value: string | number, id?: string }`, resolved.secrets);
          assertNoSecrets(resolved.secrets, run.logs, []);
        }),
    },
    {
      subject: stream,
      title: 'fails with a retryable error when the vendor answers 503',
      async run() {
        const { error, resolved } = await readFailure(503);
        if (!isPluginError(error) || !error.retryable) fail(`read() should throw a TransientError after a 503, but threw ${describeError(error)}`, resolved.secrets);
      },
    },
    {
      subject: stream,
      title: 'fails with an auth error when the vendor answers 401',
      async run() {
        const { error, resolved } = await readFailure(401);
        if (!isPluginError(error) || error.kind !== 'auth') fail(`read() should throw an AuthError after a 401, but threw ${describeError(error)}`, resolved.secrets);
      },
    },
  ];
}

function describeBody(body: HookRequest['body']): string {
  if (body instanceof Uint8Array) return `of ${body.length} binary bytes`;
  return JSON.stringify(typeof body === 'string' ? body : JSON.stringify(body));
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
