import type { ConformanceCase } from './options.js';
import { assertNoSecrets, assertOneSentence, fail, withVendor, type Subject } from './support.js';

/** The cases of a component's `check()`: it passes with good credentials and explains bad ones in one sentence. */
export function checkCases(subject: Subject): ConformanceCase[] {
  if (typeof subject.component.check !== 'function') return [];
  const subjectName = `${subject.plugin.id}/${subject.componentName}`;
  return [
    {
      subject: subjectName,
      title: 'check() passes when the vendor accepts the credentials',
      run: () =>
        withVendor(subject.acceptingVendor, async (vendor) => {
          const resolved = subject.resolve(subject.options.config, vendor.url);
          const outcome = await subject.harness().check(subject.componentName, resolved.config);
          if (!outcome.ok) fail(`check() failed against a vendor that accepts everything: ${outcome.message}`, resolved.secrets);
        }),
    },
    {
      subject: subjectName,
      title: 'check() fails with one clear sentence when the vendor refuses the credentials',
      run: () =>
        withVendor({ status: 401, json: { error: 'invalid credentials' } }, async (vendor) => {
          const resolved = subject.resolve(subject.options.badCredentials ?? subject.options.config, vendor.url);
          const outcome = await subject.harness().check(subject.componentName, resolved.config);
          if (outcome.ok) fail('check() passed although the vendor answered 401 to every request', resolved.secrets);
          if (vendor.requests.length === 0) fail(`check() never called the fake vendor at ${vendor.url}; make the config point at the vendorUrl it is given`, resolved.secrets);
          if (outcome.kind !== 'auth') {
            const thrown = outcome.error instanceof Error ? outcome.error.name : typeof outcome.error;
            fail(`check() should throw an AuthError when the vendor refuses the credentials, but threw ${thrown}: ${outcome.message}`, resolved.secrets);
          }
          assertOneSentence(outcome.message, "check()'s error message", resolved.secrets);
          assertNoSecrets(resolved.secrets, outcome.logs, [{ where: "check()'s error message", text: outcome.message }]);
        }),
    },
  ];
}
