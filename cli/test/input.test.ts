import { describe, expect, it } from 'vitest';
import { interpolateEnv } from '../src/input/interpolate.js';
import { applySetPairs, parseTimeFlag } from '../src/input/values.js';
import { CliFailure } from '../src/errors.js';

describe('${ENV_VAR} interpolation in config files', () => {
  it('replaces variables in nested strings, keeps YAML types, and takes defaults', () => {
    const config = { connectors: [{ config: { url: 'https://${HOST}/in', port: 8080, token: '${TOKEN:-fallback}', price: '$$5' } }] };
    expect(interpolateEnv(config, { HOST: 'crm.example.com' }, 'weft.yaml')).toEqual({
      connectors: [{ config: { url: 'https://crm.example.com/in', port: 8080, token: 'fallback', price: '$5' } }],
    });
  });

  it('keeps a value with YAML syntax in it as one string', () => {
    expect(interpolateEnv({ secret: '${SECRET}' }, { SECRET: 'a: b # c' }, 'weft.yaml')).toEqual({ secret: 'a: b # c' });
  });

  it('names every missing variable and the field that uses it', () => {
    let failure: unknown;
    try {
      interpolateEnv({ a: '${ONE}', b: ['${TWO}', '${ONE}'] }, {}, 'weft.yaml');
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CliFailure);
    expect(failure).toMatchObject({
      exitCode: 2,
      message: 'weft.yaml uses environment variables ONE, TWO that are not set',
      issues: [
        { path: 'a', message: 'environment variable ONE is not set' },
        { path: 'b.0', message: 'environment variable TWO is not set' },
        { path: 'b.1', message: 'environment variable ONE is not set' },
      ],
    });
  });
});

describe('--set key=value pairs', () => {
  it('builds nested objects from dotted keys and parses JSON values', () => {
    expect(applySetPairs({ url: 'https://a.example/in' }, ['retry.maxAttempts=5', 'enabled=true', 'name=crm', 'code="007"', 'tags=["a","b"]'])).toEqual({
      url: 'https://a.example/in',
      retry: { maxAttempts: 5 },
      enabled: true,
      name: 'crm',
      code: '007',
      tags: ['a', 'b'],
    });
  });

  it('keeps everything after the first = in the value', () => {
    expect(applySetPairs({}, ['expression=$.a = 1'])).toEqual({ expression: '$.a = 1' });
  });

  it('refuses a pair without a key', () => {
    expect(() => applySetPairs({}, ['=value'])).toThrow("--set expects key=value, got '=value'");
  });
});

describe('time flags', () => {
  const now = Date.parse('2025-03-04T12:00:00Z');

  it('reads a duration back from now', () => {
    expect(parseTimeFlag('--since', '90m', now)).toBe('2025-03-04T10:30:00.000Z');
    expect(parseTimeFlag('--since', '7d', now)).toBe('2025-02-25T12:00:00.000Z');
  });

  it('reads an ISO time', () => {
    expect(parseTimeFlag('--until', '2025-03-01T08:00:00+01:00', now)).toBe('2025-03-01T07:00:00.000Z');
  });

  it('names the flag when the value is neither', () => {
    expect(() => parseTimeFlag('--since', 'yesterday', now)).toThrow("--since must be an ISO time (2025-03-04T12:00:00Z) or a duration back from now (30m, 6h, 7d), got 'yesterday'");
  });
});
