import { describe, it } from 'vitest';
import type { PluginDefinition } from '../../plugin.js';
import { conformanceCases } from './index.js';
import type { ConformanceOptions } from './options.js';

/**
 * Registers the conformance suite as vitest tests: one `describe` per plugin, component or
 * action, one `it` per requirement. Call it at the top level of a test file.
 *
 * @example
 * import { runConformance } from '@weft/plugin-sdk/testing';
 * runConformance(plugin, {
 *   components: {
 *     destination: { config: (vendorUrl) => ({ url: `${vendorUrl}/in`, signingSecret: 'whsec-test-1234' }), events: [{ type: 'track', event: 'Signed Up', userId: 'u1' }] },
 *   },
 * });
 */
export function runConformance(plugin: PluginDefinition, options: ConformanceOptions): void {
  const bySubject = new Map<string, ReturnType<typeof conformanceCases>>();
  for (const conformanceCase of conformanceCases(plugin, options)) {
    const cases = bySubject.get(conformanceCase.subject) ?? [];
    cases.push(conformanceCase);
    bySubject.set(conformanceCase.subject, cases);
  }
  for (const [subject, cases] of bySubject) {
    describe(`conformance: ${subject}`, () => {
      for (const conformanceCase of cases) it(conformanceCase.title, () => conformanceCase.run());
    });
  }
}
