import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineAction,
  defineDestination,
  defineIdentityResolver,
  defineSource,
  defineTransform,
  ok,
  retry,
  type DestinationComponent,
  type SourceComponent,
  type TransformComponent,
} from '../components.js';
import { secret } from '../config.js';
import { AuthError, classifyHttpResponse, ValidationError } from '../errors.js';
import type { EventInput, WeftEvent } from '../event.js';
import { definePlugin, type PluginDefinition } from '../plugin.js';
import { conformanceCases, ConformanceError, runConformance, type ConformanceOptions, type HookRequest } from './index.js';

const signingSecret = 'whsec-conformance-0123456789';
const config = z.object({ url: z.url(), signingSecret: secret() });
const sign = (body: string, key: string) => createHmac('sha256', key).update(body).digest('hex');

/** A well-behaved webhook destination: signed JSON batches, responses classified by the SDK. */
const send = defineAction(config, {
  description: 'POSTs events as a signed JSON batch',
  payload: z.looseObject({ type: z.string() }),
  defaultMapping: (event) => event,
  batch: { maxItems: 3 },
  async performBatch(items, ctx) {
    const body = JSON.stringify({ batch: items.map((item) => item.payload) });
    ctx.logger.debug('posting a batch', { size: items.length, url: ctx.config.url });
    const response = await ctx.fetch(ctx.config.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': sign(body, ctx.config.signingSecret) }, body });
    const error = await classifyHttpResponse(response, 'The receiver');
    if (error) throw error;
    return items.map(() => ok());
  },
});

const destination = defineDestination({
  description: 'Signed webhooks out',
  config,
  async check(ctx) {
    const body = '{"ping":true}';
    const response = await ctx.fetch(ctx.config.url, { method: 'POST', headers: { 'x-signature': sign(body, ctx.config.signingSecret) }, body });
    const error = await classifyHttpResponse(response, 'The receiver');
    if (error) throw error;
  },
  actions: { send },
});

/** A signed webhook source with a pulled change feed. */
const source = defineSource({
  description: 'Signed webhooks in',
  config,
  async handle(request, ctx) {
    const body = await request.text();
    if (request.headers.get('x-signature') !== sign(body, ctx.config.signingSecret)) throw new AuthError('the x-signature header does not match the body');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new ValidationError('the body is not JSON');
    }
    if (!Array.isArray((parsed as { batch?: unknown } | null)?.batch)) throw new ValidationError('the body needs a batch array');
    return { events: (parsed as { batch: EventInput[] }).batch };
  },
  streams: {
    changes: {
      async *read(ctx) {
        const response = await ctx.fetch(`${ctx.config.url}/changes?after=${ctx.cursor?.id ?? ''}`);
        const error = await classifyHttpResponse(response, 'The feed');
        if (error) throw error;
        const { items } = (await response.json()) as { items: Array<{ id: string; userId: string }> };
        for (const item of items) yield { record: { type: 'track', event: 'Changed', userId: item.userId, messageId: item.id } };
        if (items.length > 0) yield { checkpoint: { value: items.length, id: items.at(-1)!.id } };
      },
    },
  },
});

const rename = defineTransform({
  description: 'Renames events',
  config: z.object({ names: z.record(z.string(), z.string()) }),
  transform: (event, ctx) => (event.event === 'Drop Me' ? null : { ...event, event: ctx.config.names[event.event ?? ''] ?? event.event }),
});

const emails = defineIdentityResolver({
  description: 'Emails',
  config: z.object({}),
  identifiers: (event) => (typeof event.traits?.['email'] === 'string' ? [{ type: 'email', value: event.traits['email'] }] : []),
});

const good = definePlugin({ id: 'hooks', version: '1.0.0', sdk: '^0.1.0', description: 'Webhooks', components: { destination, source, rename, emails } });

const signedBody = (body: string): HookRequest => ({ method: 'POST', headers: { 'x-signature': sign(body, signingSecret) }, body });
const events = [
  { type: 'track' as const, event: 'Order Completed', userId: 'u1' },
  { type: 'identify' as const, userId: 'u2', traits: { email: 'ada@example.com' } },
];
const options: ConformanceOptions = {
  components: {
    destination: { config: (url) => ({ url: `${url}/in`, signingSecret }), events },
    source: {
      config: (url) => ({ url, signingSecret }),
      vendor: { 'GET /changes': { json: { items: [{ id: 'x1', userId: 'u1' }] } } },
      validRequest: () => signedBody(JSON.stringify({ batch: events })),
      malformedRequests: () => [signedBody('{"batch": 5}'), signedBody('oops')],
    },
    rename: { config: { names: { 'Order Completed': 'Purchase' } }, events, dropped: [{ type: 'track', event: 'Drop Me', userId: 'u3' }] },
    emails: { config: {}, events },
  },
};

runConformance(good, options);

// ------------------------------------------------------------------ the suite fails bad plugins

/** The good plugin with one component swapped for a variant. */
function pluginWith(components: Record<string, unknown>, changes: Partial<PluginDefinition> = {}): PluginDefinition {
  return { ...good, ...changes, components: { ...good.components, ...components } as PluginDefinition['components'] };
}
const destinationWith = (changes: Partial<DestinationComponent>) => ({ destination: { ...destination, ...changes } });
const checkWith = (check: NonNullable<typeof destination.check>) => destinationWith({ check } as Partial<DestinationComponent>);
const sendWith = (changes: Partial<typeof send>) => destinationWith({ actions: { send: { ...send, ...changes } } as DestinationComponent['actions'] });

/** Runs one requirement of the suite on a plugin, as `runConformance` would. */
async function requirement(plugin: PluginDefinition, title: string, suiteOptions: ConformanceOptions = options): Promise<void> {
  const found = conformanceCases(plugin, suiteOptions).filter((conformanceCase) => conformanceCase.title.startsWith(title));
  if (found.length !== 1) throw new Error(`expected one case titled '${title}…', found ${found.length}`);
  await found[0]!.run();
}

describe('the conformance suite', () => {
  it('lists every requirement for every component of a plugin', () => {
    const titles = conformanceCases(good, options).map(({ subject, title }) => `${subject}: ${title}`);
    expect(titles).toContain("hooks/destination action 'send': asks for a retry when the vendor answers 503");
    expect(titles).toContain('hooks/destination: check() fails with one clear sentence when the vendor refuses the credentials');
    expect(titles).toContain("hooks/source stream 'changes': fails with an auth error when the vendor answers 401");
    expect(titles).toContain('hooks/rename: drops an event by returning null or undefined');
    expect(titles).toContain('hooks/emails: returns well-formed identifiers, the same for the same event');
    expect(titles).toHaveLength(21);
  });

  it('fails a destination that reports a 5xx as delivered', async () => {
    const swallowing = sendWith({ performBatch: async (items, ctx) => (await ctx.fetch(ctx.config.url, { method: 'POST', body: '[]' }), items.map(() => ok())) });
    await expect(requirement(pluginWith(swallowing), 'asks for a retry when the vendor answers 503')).rejects.toThrow(
      "when the vendor answers 503, every item should be 'retry', but the results were [ok, ok]",
    );
  });

  it('fails a destination that logs its secret, without printing the secret itself', async () => {
    const leaking = sendWith({
      performBatch: async (items, ctx) => {
        ctx.logger.info('signing with', { key: ctx.config.signingSecret });
        return send.performBatch!(items, ctx);
      },
    });
    const failure = requirement(pluginWith(leaking), 'keeps its secrets out of logs and error messages');
    await expect(failure).rejects.toThrow(ConformanceError);
    await expect(failure).rejects.toThrow(`the secret config field 'signingSecret' appeared in log line 1 (info): info signing with {"key":"[secret signingSecret]"}`);
    await expect(failure.catch((error: Error) => error.message)).resolves.not.toContain(signingSecret);
  });

  it('fails a destination whose error reason carries its secret', async () => {
    const echoing = sendWith({
      performBatch: async (items, ctx) => {
        const response = await ctx.fetch(ctx.config.url, { method: 'POST', body: '[]' });
        return items.map(() => (response.ok ? ok() : retry(`refused with key ${encodeURIComponent(ctx.config.signingSecret)}`)));
      },
    });
    await expect(requirement(pluginWith(echoing), 'keeps its secrets out of logs and error messages')).rejects.toThrow(
      "the secret config field 'signingSecret' appeared in the reason of result 1",
    );
  });

  it('fails a destination that returns fewer results than items', async () => {
    const short = sendWith({ performBatch: async (items, ctx) => (await send.performBatch!(items, ctx)).slice(1) });
    await expect(requirement(pluginWith(short), 'returns one result per event, in order')).rejects.toThrow(/every item should be 'ok', but the results were \[retry \(plugin returned 2 results for 3 items\)/);
  });

  it('fails a destination that ignores Retry-After', async () => {
    const impatient = sendWith({
      performBatch: async (items, ctx) => {
        const response = await ctx.fetch(ctx.config.url, { method: 'POST', body: '[]' });
        return items.map(() => (response.status === 429 ? retry('rate limited') : ok()));
      },
    });
    await expect(requirement(pluginWith(impatient), 'retries no sooner than Retry-After')).rejects.toThrow(
      'after 429 with Retry-After: 7, retryAfterMs should be 7000 (use classifyHttpResponse), got [null,null]',
    );
  });

  it('fails a destination that retries a 400 forever', async () => {
    const stubborn = sendWith({
      performBatch: async (items, ctx) => {
        const response = await ctx.fetch(ctx.config.url, { method: 'POST', body: '[]' });
        return items.map(() => (response.ok ? ok() : retry(`status ${response.status}`)));
      },
    });
    await expect(requirement(pluginWith(stubborn), 'fails an item the vendor rejects with 400')).rejects.toThrow("every item should be 'fail'");
  });

  it('fails a destination that does not pause on refused credentials', async () => {
    const unclassified = sendWith({
      performBatch: async (items, ctx) => {
        const response = await ctx.fetch(ctx.config.url, { method: 'POST', body: '[]' });
        if (!response.ok) throw new Error(`got ${response.status}`);
        return items.map(() => ok());
      },
    });
    await expect(requirement(pluginWith(unclassified), 'pauses the connector when the vendor refuses the credentials')).rejects.toThrow(
      "when the vendor answers 401, every item should be 'pause', but the results were [retry (got 401), retry (got 401)]",
    );
  });

  it('fails a destination the suite cannot point at the fake vendor, and says how to fix it', async () => {
    const pinned: ConformanceOptions = { ...options, components: { ...options.components, destination: { config: { url: 'http://127.0.0.1:9/in', signingSecret }, events } } };
    await expect(requirement(good, 'asks for a retry when the vendor answers 503', pinned)).rejects.toThrow(/^the action never called the fake vendor at http:\/\/127\.0\.0\.1:\d+; make the component's config point/);
  });

  it('fails an action without sample events of its types', async () => {
    const identifyOnly = sendWith({ types: ['identify'] });
    const trackOnly: ConformanceOptions = { ...options, components: { ...options.components, destination: { config: options.components['destination']!.config, events: [events[0]!] } } };
    await expect(requirement(pluginWith(identifyOnly), 'asks for a retry when the vendor answers 503', trackOnly)).rejects.toThrow(
      "there is no sample event of type identify for action 'send'; add some to components['destination'].events",
    );
  });

  it('fails a check() that passes although the vendor refuses the credentials', async () => {
    const careless = checkWith(async (ctx) => void (await ctx.fetch(ctx.config.url)));
    await expect(requirement(pluginWith(careless), 'check() fails with one clear sentence')).rejects.toThrow('check() passed although the vendor answered 401 to every request');
  });

  it('fails a check() whose error is not an AuthError', async () => {
    const vague = checkWith(async (ctx) => {
      const response = await ctx.fetch(ctx.config.url);
      if (!response.ok) throw new TypeError('something went wrong');
    });
    await expect(requirement(pluginWith(vague), 'check() fails with one clear sentence')).rejects.toThrow(
      'check() should throw an AuthError when the vendor refuses the credentials, but threw TypeError: something went wrong',
    );
  });

  it('fails a check() whose message is not one sentence', async () => {
    const rambling = checkWith(async (ctx) => {
      const response = await ctx.fetch(ctx.config.url);
      if (!response.ok) throw new AuthError(`refused:\n${JSON.stringify({ status: response.status, body: await response.json() }, null, 2)}`);
    });
    await expect(requirement(pluginWith(rambling), 'check() fails with one clear sentence')).rejects.toThrow("check()'s error message should be one clear sentence, but it spans several lines");
  });

  it("fails a check() that puts the secret in its message", async () => {
    const telling = checkWith(async (ctx) => {
      const response = await ctx.fetch(ctx.config.url);
      if (!response.ok) throw new AuthError(`the receiver refused the signing secret ${ctx.config.signingSecret}`);
    });
    await expect(requirement(pluginWith(telling), 'check() fails with one clear sentence')).rejects.toThrow(
      "the secret config field 'signingSecret' appeared in check()'s error message: the receiver refused the signing secret [secret signingSecret]",
    );
  });

  it('fails a plugin the host would refuse', async () => {
    await expect(requirement(pluginWith({}, { sdk: '^3.0.0' }), 'is a well-formed plugin')).rejects.toThrow(
      'the host would refuse this plugin: it needs @weft/plugin-sdk ^3.0.0, but this Weft provides 0.1.0',
    );
  });

  it('fails a credential field not marked with secret(), unless it is listed as not secret', async () => {
    const plain = destinationWith({ config: z.object({ url: z.url(), apiToken: z.string(), auth: z.object({ clientSecret: z.string().optional() }), tokenUrl: z.url() }) });
    await expect(requirement(pluginWith(plain), 'marks every config field that holds a credential')).rejects.toThrow(
      'these fields sound like credentials but are not marked with secret(): destination: apiToken, destination: auth.clientSecret',
    );
    await expect(requirement(pluginWith(plain), 'marks every config field that holds a credential', { ...options, notSecret: ['apiToken', 'auth.clientSecret'] })).resolves.toBeUndefined();
  });

  it('fails when a component has no options, or options name no component', async () => {
    const partial: ConformanceOptions = { components: { destination: options.components['destination']!, ghost: { config: {} } } };
    await expect(requirement(good, 'has conformance options for every component', partial)).rejects.toThrow(
      "give runConformance options for components['source'], components['rename'], components['emails']",
    );
    const extra: ConformanceOptions = { components: { ...options.components, ghost: { config: {} } } };
    await expect(requirement(good, 'has conformance options for every component', extra)).rejects.toThrow('the plugin has no component ghost');
  });

  it('fails a transform that gives different output for the same input', async () => {
    const random = { rename: { ...rename, transform: (event: WeftEvent) => ({ ...event, properties: { draw: Math.random() } }) } as TransformComponent };
    await expect(requirement(pluginWith(random), 'gives the same output for the same input')).rejects.toThrow(/^event 1 gave .+ the first time and .+ the second$/);
  });

  it('fails a transform that drops by returning an empty list', async () => {
    const emptying = { rename: { ...rename, transform: (event: { event?: string }) => (event.event === 'Drop Me' ? [] : event) } as TransformComponent };
    await expect(requirement(pluginWith(emptying), 'drops an event by returning null or undefined')).rejects.toThrow('dropped event 1 should give null or undefined, got []');
  });

  it('fails a transform that returns events ingest would refuse', async () => {
    const anonymising = { rename: { ...rename, transform: (event: WeftEvent) => ({ ...event, userId: null }) } as TransformComponent };
    await expect(requirement(pluginWith(anonymising), 'returns events the pipeline can carry on with')).rejects.toThrow(
      'event 1 gave an output 1 that is not a valid event: userId: required when there is no anonymousId',
    );
  });

  it('fails an identity resolver that returns an empty value', async () => {
    const blank = { emails: { ...emails, identifiers: () => [{ type: 'email', value: '' }] } };
    await expect(requirement(pluginWith(blank), 'returns well-formed identifiers')).rejects.toThrow('event 1 gave the identifier {"type":"email","value":""}');
  });

  it('fails a source whose handle() crashes on a malformed body (a SyntaxError from parsing is fine: the host answers 400)', async () => {
    const naive = { source: { ...source, handle: async (request: Request) => ({ events: (JSON.parse(await request.text()) as { batch: EventInput[] }).batch }) } as SourceComponent };
    await expect(requirement(pluginWith(naive), 'rejects malformed requests')).rejects.toThrow(
      `a POST with the body "null" made handle() throw TypeError: Cannot read properties of null (reading 'batch'); throw a ValidationError (or AuthError) instead`,
    );
  });

  it('fails a source that acknowledges garbage', async () => {
    const credulous = { source: { ...source, handle: async () => ({ events: [], response: new Response('ok') }) } as SourceComponent };
    await expect(requirement(pluginWith(credulous), 'rejects malformed requests')).rejects.toThrow('was accepted (200, 0 events); reject it with a ValidationError or AuthError');
  });

  it('fails a pull stream that throws an unclassified error on a 503', async () => {
    const stream = { read: async function* () { yield* []; throw new Error('feed broke'); } };
    const fragile = { source: { ...source, streams: { changes: stream } } as SourceComponent };
    await expect(requirement(pluginWith(fragile), 'fails with a retryable error when the vendor answers 503')).rejects.toThrow(
      'read() should throw a TransientError after a 503, but threw Error: feed broke',
    );
  });

  it('fails a pull stream that ends quietly when its credentials are refused', async () => {
    const quiet = {
      read: async function* (ctx: { config: { url: string }; fetch: typeof fetch }) {
        const response = await ctx.fetch(`${ctx.config.url}/changes`);
        if (response.ok) yield { record: { type: 'track', event: 'Changed', userId: 'u1' } as EventInput };
      },
    };
    const hushed = { source: { ...source, streams: { changes: quiet } } as unknown as SourceComponent };
    await expect(requirement(pluginWith(hushed), 'fails with an auth error when the vendor answers 401')).rejects.toThrow(
      'read() finished without an error although the vendor answered 401 to every request',
    );
  });
});
