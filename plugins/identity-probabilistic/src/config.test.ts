import { describe, expect, it } from 'vitest';
import { ConfigError } from '@weft/plugin-sdk';
import { parseResolverConfig } from './matcher.js';
import { personBlockingPasses, personFields } from './person-defaults.js';

const field = (levels: unknown[]) => ({ fields: [{ name: 'name', traits: ['name'], comparator: 'jaro-winkler', levels }], blocking: { passes: [{ name: 'name', keys: [{ field: 'name' }] }] } });

describe('the resolver config', () => {
  it('defaults to the person fields and passes, thresholds 0.95 and 0.6', () => {
    expect(parseResolverConfig({})).toMatchObject({ fields: personFields, blocking: { passes: personBlockingPasses, maxBlockSize: 500 }, thresholds: { link: 0.95, review: 0.6 }, prior: 1e-4 });
  });

  it('takes a custom field with its levels', () => {
    expect(parseResolverConfig(field([{ name: 'exact', atLeast: 1 }, { name: 'close', atLeast: 0.9 }])).fields[0]).toMatchObject({ name: 'name', comparator: 'jaro-winkler' });
  });

  it('refuses levels out of order, naming the field', () => {
    expect(() => parseResolverConfig(field([{ name: 'close', atLeast: 0.9 }, { name: 'exact', atLeast: 1 }]))).toThrow(/fields\.0\.levels: levels must be listed from the highest atLeast to the lowest/);
  });

  it('refuses level probabilities that leave nothing for different', () => {
    expect(() => parseResolverConfig(field([{ name: 'exact', atLeast: 1, m: 0.7 }, { name: 'close', atLeast: 0.9, m: 0.4 }]))).toThrow(/must add up to less than 1/);
  });

  it('refuses a level named like an implicit one', () => {
    expect(() => parseResolverConfig(field([{ name: 'missing', atLeast: 1 }]))).toThrow(ConfigError);
  });

  it('refuses a field that reads nothing', () => {
    const config = { ...field([{ name: 'exact', atLeast: 1 }]), fields: [{ name: 'name', comparator: 'exact', levels: [{ name: 'exact', atLeast: 1 }] }] };
    expect(() => parseResolverConfig(config)).toThrow(/fields\.0\.traits: needs traits or an identifier to read/);
  });

  it('refuses trait paths for a field that does not exist', () => {
    expect(() => parseResolverConfig({ traits: { town: ['ville'] } })).toThrow(/traits\.town: no field named 'town'/);
  });
});
