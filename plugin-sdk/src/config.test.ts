import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configJsonSchema, joinSecrets, redactSecrets, secret, secretPaths, splitSecrets } from './config.js';

const schema = z.object({
  url: z.url(),
  apiKey: secret('The private app token'),
  region: z.enum(['eu', 'us']).default('eu'),
  oauth: z.object({ clientId: z.string(), clientSecret: secret() }),
  backup: z.object({ password: secret().optional() }).optional(),
  legacyToken: secret().nullish(),
});

describe('secret()', () => {
  it('refuses an empty value', () => {
    expect(secret().safeParse('').success).toBe(false);
    expect(secret().safeParse('s3cret').success).toBe(true);
  });
});

describe('secretPaths', () => {
  it('lists top-level, nested and optional secret fields by dotted path', () => {
    expect(secretPaths(schema)).toEqual(['apiKey', 'oauth.clientSecret', 'backup.password', 'legacyToken']);
  });

  it('finds secrets under defaults and pipes', () => {
    const wrapped = z.object({ token: secret().default('x-default'), pin: secret().pipe(z.string().length(4)) });
    expect(secretPaths(wrapped)).toEqual(['token', 'pin']);
  });

  it('answers nothing for a schema without secrets or without an object', () => {
    expect(secretPaths(z.object({ url: z.url() }))).toEqual([]);
    expect(secretPaths(z.string())).toEqual([]);
  });
});

describe('splitSecrets and joinSecrets', () => {
  const config = { url: 'https://api.acme.test', apiKey: 'ak-1', oauth: { clientId: 'c', clientSecret: 'cs-2' }, backup: {} };

  it('moves secret values out of the plain config, by path', () => {
    const { plain, secrets } = splitSecrets(config, secretPaths(schema));
    expect(plain).toEqual({ url: 'https://api.acme.test', oauth: { clientId: 'c' }, backup: {} });
    expect(secrets).toEqual({ apiKey: 'ak-1', 'oauth.clientSecret': 'cs-2' });
  });

  it('leaves the input untouched', () => {
    const copy = structuredClone(config);
    splitSecrets(config, secretPaths(schema));
    expect(config).toEqual(copy);
  });

  it('skips optional secrets that are absent, even under an absent parent', () => {
    const { secrets } = splitSecrets({ url: 'https://x.test', apiKey: 'k', oauth: { clientId: 'c', clientSecret: 's' } }, secretPaths(schema));
    expect(Object.keys(secrets)).toEqual(['apiKey', 'oauth.clientSecret']);
  });

  it('joins the parts back into the original config, creating nested objects as needed', () => {
    const { plain, secrets } = splitSecrets(config, secretPaths(schema));
    expect(joinSecrets(plain, secrets)).toEqual(config);
    expect(joinSecrets({}, { 'backup.password': 'p' })).toEqual({ backup: { password: 'p' } });
  });
});

describe('redactSecrets', () => {
  it('replaces present secrets, nested ones included, and adds none that are absent', () => {
    const redacted = redactSecrets({ url: 'https://x.test', apiKey: 'ak-1', oauth: { clientId: 'c', clientSecret: 'cs-2' } }, secretPaths(schema));
    expect(redacted).toEqual({ url: 'https://x.test', apiKey: '[redacted]', oauth: { clientId: 'c', clientSecret: '[redacted]' } });
  });
});

describe('configJsonSchema', () => {
  const json = configJsonSchema(schema) as { properties: Record<string, Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> }>; required: string[] };

  it('marks secret fields writeOnly, nested and optional ones included', () => {
    expect(json.properties['apiKey']).toMatchObject({ type: 'string', writeOnly: true, description: 'The private app token' });
    expect(json.properties['oauth']!.properties!['clientSecret']).toMatchObject({ writeOnly: true });
    expect(json.properties['backup']!.properties!['password']).toMatchObject({ writeOnly: true });
    expect(JSON.stringify(json.properties['legacyToken'])).toContain('"writeOnly":true');
  });

  it('leaves other fields readable', () => {
    expect(json.properties['url']!['writeOnly']).toBeUndefined();
    expect(json.properties['oauth']!.properties!['clientId']!['writeOnly']).toBeUndefined();
  });

  it('describes the input a person types: defaulted fields are optional', () => {
    expect(json.required).toEqual(expect.arrayContaining(['url', 'apiKey', 'oauth']));
    expect(json.required).not.toContain('region');
    expect(json.properties['region']).toMatchObject({ enum: ['eu', 'us'], default: 'eu' });
  });
});
