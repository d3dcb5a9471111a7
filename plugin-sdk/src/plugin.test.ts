import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction, defineDestination, defineSource, defineTransform } from './components.js';
import { secret } from './config.js';
import { definePlugin, PLUGIN_MARK, pluginManifest, SDK_VERSION } from './plugin.js';
import { validatePlugin } from './validate.js';

const destination = defineDestination({
  title: 'CRM',
  description: 'Upserts contacts',
  config: z.object({ baseUrl: z.url(), apiKey: secret() }),
  actions: {
    upsertContact: defineAction({
      title: 'Upsert contact',
      description: 'Creates or updates a contact',
      types: ['identify'],
      payload: z.object({ email: z.email() }),
      defaultMapping: (event) => ({ email: event.traits?.['email'] }),
      batch: { maxItems: 100, maxBytes: 1_000_000 },
      performBatch: (items) => items.map(() => ({ status: 'ok' as const })),
    }),
    trackEvent: defineAction({ description: 'Records an event', payload: z.looseObject({}), defaultMapping: (event) => event, perform: () => undefined }),
  },
});

const source = defineSource({
  description: 'Contacts from the CRM',
  config: z.object({ baseUrl: z.url() }),
  streams: { contacts: { read: async function* () {} } },
  assets: { 'widget.js': { contentType: 'text/javascript', load: () => '' } },
});

const plugin = definePlugin({
  id: 'acme-crm',
  version: '1.2.3',
  sdk: '^0.1.0',
  description: 'Acme CRM',
  components: { destination, source, clean: defineTransform({ description: 'Trims', config: z.object({}), transform: (event) => event }) },
});

describe('definePlugin', () => {
  it('marks and freezes the definition', () => {
    expect(plugin[PLUGIN_MARK]).toBe(true);
    expect(Object.isFrozen(plugin)).toBe(true);
  });
});

describe('pluginManifest', () => {
  const manifest = pluginManifest(plugin);

  it('describes the plugin and every component without running a hook', () => {
    expect(manifest).toMatchObject({ id: 'acme-crm', version: '1.2.3', sdk: '^0.1.0', description: 'Acme CRM' });
    expect(manifest.components.map((component) => [component.name, component.kind])).toEqual([
      ['destination', 'destination'],
      ['source', 'source'],
      ['clean', 'transform'],
    ]);
  });

  it('lists secret fields and a JSON Schema of the config', () => {
    const crm = manifest.components[0]!;
    expect(crm.title).toBe('CRM');
    expect(crm.secretFields).toEqual(['apiKey']);
    expect(crm.configSchema).toMatchObject({ type: 'object', properties: { apiKey: { writeOnly: true }, baseUrl: { format: 'uri' } } });
  });

  it('lists destination actions with their types and batch size', () => {
    expect(manifest.components[0]!.actions).toEqual([
      { name: 'upsertContact', title: 'Upsert contact', description: 'Creates or updates a contact', types: ['identify'], batch: { maxItems: 100 } },
      { name: 'trackEvent', description: 'Records an event' },
    ]);
  });

  it("lists a source's streams and assets", () => {
    expect(manifest.components[1]).toMatchObject({ streams: ['contacts'], assets: ['widget.js'] });
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
  });
});

describe('validatePlugin', () => {
  const withChanges = (changes: Record<string, unknown>) => ({ ...plugin, ...changes });

  it('finds nothing wrong with a well-formed plugin', () => {
    expect(validatePlugin(plugin)).toEqual([]);
  });

  it('refuses something that is not a plugin', () => {
    expect(validatePlugin(undefined)).toEqual(['its default export is not a plugin (use definePlugin from @weft/plugin-sdk)']);
  });

  it('names a bad id, version and description', () => {
    expect(validatePlugin(withChanges({ id: 'Acme CRM', version: 'one', description: '' }))).toEqual([
      'id "Acme CRM" must be lower-case letters, digits and dashes, starting with a letter',
      'version "one" is not a semver version',
      'description is missing',
    ]);
  });

  it(`refuses an sdk range that ${SDK_VERSION} does not satisfy, or that is no range`, () => {
    expect(validatePlugin(withChanges({ sdk: '^2.0.0' }))).toEqual([`it needs @weft/plugin-sdk ^2.0.0, but this Weft provides ${SDK_VERSION}`]);
    expect(validatePlugin(withChanges({ sdk: 'latest' }))).toEqual(['sdk "latest" is not a semver range']);
  });

  it('refuses a plugin without components', () => {
    expect(validatePlugin(withChanges({ components: {} }))).toEqual(['it defines no components']);
  });

  it('names the component and the problem', () => {
    const components = {
      Bad_Name: destination,
      odd: { kind: 'widget', config: z.object({}) },
      nothing: defineSource({ description: 'Empty', config: z.object({}) }),
      plain: { kind: 'transform', description: 'No schema', config: {}, transform: (event: unknown) => event },
      resolver: { kind: 'identity-resolver', description: 'No identifiers', config: z.object({}) },
    };
    expect(validatePlugin(withChanges({ components }))).toEqual([
      "component 'Bad_Name': name must be lower-case letters, digits and dashes",
      "component 'odd': kind must be one of source, transform, identity-resolver, destination",
      "component 'nothing': a source needs handle(), streams or assets",
      "component 'plain': config must be a zod schema",
      "component 'resolver': an identity resolver needs identifiers() or match",
    ]);
  });

  it('names the action and the problem', () => {
    const broken = defineDestination({
      description: 'Broken',
      config: z.object({}),
      actions: { send: { description: 'Send', payload: 'not a schema', batch: { maxItems: 0 } } as never },
    });
    expect(validatePlugin(withChanges({ components: { broken } }))).toEqual([
      "component 'broken', action 'send': needs perform() or performBatch()",
      "component 'broken', action 'send': defaultMapping() is missing",
      "component 'broken', action 'send': payload must be a zod schema",
      "component 'broken', action 'send': batch.maxItems must be a whole number of at least 1, got 0",
    ]);
  });

  it("reserves action names starting with '$' and wants onIdentityMerge to be a function", () => {
    const hooked = defineDestination({
      description: 'Hooked',
      config: z.object({}),
      actions: { $merge: { description: 'Merge', payload: z.object({}), defaultMapping: () => ({}), perform: () => {} } },
      onIdentityMerge: 'yes' as never,
    });
    expect(validatePlugin(withChanges({ components: { hooked } }))).toEqual([
      "component 'hooked': onIdentityMerge must be a function",
      "component 'hooked', action '$merge': names starting with '$' are reserved for Weft",
    ]);
  });

  it('refuses a destination without actions and a stream without read()', () => {
    const empty = defineDestination({ description: 'Empty', config: z.object({}), actions: {} });
    const stream = defineSource({ description: 'Pull', config: z.object({}), streams: { contacts: {} as never } });
    expect(validatePlugin(withChanges({ components: { empty, stream } }))).toEqual([
      "component 'empty': a destination needs at least one action",
      "component 'stream', stream 'contacts': read() is missing",
    ]);
  });

  it('refuses a zod 3 schema, which looks like a schema but is not one the SDK can read', () => {
    const zod3Like = { safeParse: () => ({ success: true, data: {} }), _def: { typeName: 'ZodObject' } };
    const transform = { kind: 'transform', description: 'Old zod', config: zod3Like, transform: (event: unknown) => event };
    expect(validatePlugin(withChanges({ components: { transform } }))).toEqual([
      "component 'transform': config is a zod 3 schema; the SDK needs zod 4 (depend on zod ^4)",
    ]);
  });

  it('refuses a config that cannot be described as JSON Schema, saying why', () => {
    const address = z.object({ street: z.string() }).meta({ id: 'Address' });
    const otherAddress = z.object({ city: z.string() }).meta({ id: 'Address' });
    const transform = defineTransform({ description: 'Two ids', config: z.object({ billing: address, shipping: otherAddress }), transform: (event) => event });
    expect(validatePlugin(withChanges({ components: { transform } }))).toEqual([
      expect.stringMatching(/^component 'transform': config cannot be described as JSON Schema \(Duplicate schema id "Address".*\)$/),
    ]);
  });
});
