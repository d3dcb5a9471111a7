import type { Component } from '../../components.js';
import { secretPaths, splitSecrets } from '../../config.js';
import { createHarness, type Harness } from '../harness.js';
import { renderLogLine, type LogLine } from '../context.js';
import { startFakeServer, type FakeRoutes, type FakeScript, type FakeServer } from '../fake-server.js';
import type { PluginDefinition } from '../../plugin.js';
import type { ComponentConformance, ConfigInput } from './options.js';

/** A conformance requirement the plugin does not meet; the message says which and what was seen. */
export class ConformanceError extends Error {
  override readonly name = 'ConformanceError';
}

/** The config and its secrets, once the fake vendor's URL is known. */
export interface ResolvedConfig {
  config: Record<string, unknown>;
  /** Secret field path → value, for leak checks. */
  secrets: Array<{ path: string; value: string }>;
}

/** The component under test, with what every case needs. */
export interface Subject {
  plugin: PluginDefinition;
  componentName: string;
  component: Component;
  options: ComponentConformance;
  /** The harness (created on first use, so an invalid plugin fails the cases that run it, not the suite's registration). */
  harness(): Harness;
  /** The fake vendor's script when all is well (default: 200 `{}` to everything). */
  acceptingVendor: FakeScript | FakeRoutes;
  /** Resolves a config for a vendor URL and lists its secret values. */
  resolve(input: ConfigInput, vendorUrl: string): ResolvedConfig;
}

export function subjectFor(plugin: PluginDefinition, componentName: string, component: Component, options: ComponentConformance, timeoutMs: number): Subject {
  let harness: Harness | undefined;
  return {
    plugin,
    componentName,
    component,
    options,
    harness: () => (harness ??= createHarness(plugin, { timeoutMs })),
    acceptingVendor: options.vendor ?? { status: 200, json: {} },
    resolve(input, vendorUrl) {
      const config = typeof input === 'function' ? input(vendorUrl) : input;
      const parsed = component.config.safeParse(config);
      const secrets = Object.entries(splitSecrets(parsed.success ? parsed.data : config, secretPaths(component.config)).secrets)
        .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length > 0)
        .map(([path, value]) => ({ path, value }));
      return { config, secrets };
    },
  };
}

/** Runs `work` against a fake vendor playing `script`, closing it afterwards. */
export async function withVendor<T>(script: FakeScript | FakeRoutes, work: (vendor: FakeServer) => Promise<T>): Promise<T> {
  const vendor = await startFakeServer(script);
  try {
    return await work(vendor);
  } finally {
    await vendor.close();
  }
}

/**
 * Throws a ConformanceError. Secret values that would appear in the message are masked, so a
 * failing suite does not print them either.
 */
export function fail(message: string, secrets: ResolvedConfig['secrets'] = []): never {
  throw new ConformanceError(mask(message, secrets));
}

function mask(text: string, secrets: ResolvedConfig['secrets']): string {
  return secrets.reduce((out, { path, value }) => out.split(value).join(`[secret ${path}]`), text);
}

/** Fails when any secret value (as is, or URL-encoded) appears in the logs or in one of the messages. */
export function assertNoSecrets(secrets: ResolvedConfig['secrets'], logs: LogLine[], messages: Array<{ where: string; text: string }>): void {
  const texts = [
    ...logs.map((line, index) => ({ where: `log line ${index + 1} (${line.level})`, text: renderLogLine(line) })),
    ...messages,
  ];
  for (const { path, value } of secrets) {
    const forms = [...new Set([value, encodeURIComponent(value)])];
    const leak = texts.find(({ text }) => forms.some((form) => text.includes(form)));
    if (leak) fail(`the secret config field '${path}' appeared in ${leak.where}: ${leak.text}`, secrets);
  }
}

/** Fails unless `message` is one readable sentence: not empty, one line, short, no stack trace. */
export function assertOneSentence(message: string, what: string, secrets: ResolvedConfig['secrets']): void {
  const problems = [
    message.trim() === '' ? 'it is empty' : undefined,
    /[\r\n]/.test(message.trim()) ? 'it spans several lines' : undefined,
    message.length > 300 ? `it is ${message.length} characters long (at most 300)` : undefined,
    /\bat .+:\d+:\d+/.test(message) ? 'it contains a stack trace' : undefined,
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) fail(`${what} should be one clear sentence, but ${problems.join(' and ')}: ${JSON.stringify(message)}`, secrets);
}

/** Lists values compactly for failure messages: `[ok, retry (vendor answered 500), …]`. */
export function describeResults(results: Array<{ status: string; reason?: string }>): string {
  const shown = results.slice(0, 5).map((result) => (result.reason ? `${result.status} (${result.reason})` : result.status));
  return `[${shown.join(', ')}${results.length > 5 ? `, … ${results.length - 5} more` : ''}]`;
}
