import { describe, expect, it } from 'vitest';
import type { IdentityResolverComponent, MatchRecord } from '@weft/plugin-sdk';
import { createHarness, HarnessError } from '@weft/plugin-sdk/testing';
import plugin from './index.js';

// The host's side of the contract: open a connector, ask for keys, train, store the model as JSON, compare.
const harness = createHarness(plugin);
const { match } = plugin.components['resolver'] as IdentityResolverComponent;
const open = (config: unknown = {}) => harness.identityResolver('resolver', { config });

const profile = (id: string, traits: Record<string, unknown>, identifiers: Record<string, string[]> = {}): MatchRecord => ({ id, traits, identifiers });
const michaela = profile('p1', { firstName: 'Michaela', lastName: 'Neumann', birthDate: '1915-11-11', address: { street: '8 Stanley Street', city: 'Winston Hills', postalCode: '4223' } }, { email: ['michaela@example.com'] });
const typoed = profile('p2', { first_name: 'micheala', last_name: 'neuman', date_of_birth: '19151111', suburb: 'winston hills', postcode: '4223' }, { email: ['michaela@example.com'] });
const stranger = profile('p3', { firstName: 'Charles', lastName: 'Green', birthDate: '1948-09-30', address: { city: 'Dapto', postalCode: '4566' } });

describe('the probabilistic resolver, as the host calls it', () => {
  it('is a match-only identity resolver', () => {
    expect(match).toBeDefined();
    expect(typeof match!.train).toBe('function');
  });

  it('gives the same blocking keys for the same record, shared by a likely duplicate', () => {
    const { context } = open();
    const keys = match!.blockingKeys(michaela, context);
    expect(match!.blockingKeys(michaela, context)).toEqual(keys);
    expect(match!.blockingKeys(typoed, context).filter((key) => keys.includes(key))).toEqual(expect.arrayContaining(['email:michaela@example.com']));
    expect(match!.blockingKeys(stranger, context).filter((key) => keys.includes(key))).toEqual([]);
  });

  it('scores with the untrained defaults before any training', () => {
    const { context } = open();
    expect(match!.compare(michaela, typoed, { ...context, model: undefined }).decision).toBe('link');
    expect(match!.compare(michaela, stranger, { ...context, model: undefined }).decision).toBe('none');
  });

  it('explains a score field by field, a missing value weighing nothing', () => {
    const { context } = open();
    const score = match!.compare(michaela, stranger, { ...context, model: undefined });
    expect(score.fields.map((field) => field.field)).toEqual(['firstName', 'lastName', 'birthDate', 'streetNumber', 'address1', 'address2', 'city', 'postcode', 'state', 'phone', 'email']);
    expect(score.fields.find((field) => field.field === 'phone')).toMatchObject({ level: 'missing', similarity: null, weight: 0 });
  });

  it('scores a pair the same whichever side comes first', () => {
    const { context } = open();
    const ctx = { ...context, model: undefined };
    expect(match!.compare(typoed, michaela, ctx)).toEqual(match!.compare(michaela, typoed, ctx));
  });

  it('trains a model the host can store as JSON and pass back to compare', async () => {
    const resolver = open();
    const records = [michaela, typoed, stranger, ...Array.from({ length: 40 }, (_, i) => profile(`x${i}`, { firstName: `name${i}`, lastName: `family${i % 7}`, birthDate: `19${50 + i}-01-0${1 + (i % 9)}`, postcode: `${4000 + i}` }))];
    const stored = JSON.parse(JSON.stringify(await match!.train!(records, resolver.context)));
    expect(stored).toMatchObject({ version: 1, prior: expect.any(Number), training: { records: records.length } });
    expect(match!.compare(michaela, typoed, { ...resolver.context, model: stored }).decision).toBe('link');
    expect(resolver.logs.some((line) => line.message === 'trained the probabilistic match model')).toBe(true);
  });

  it('refuses a config whose blocking pass names an unknown field, saying which', () => {
    expect(() => open({ blocking: { passes: [{ name: 'by-nickname', keys: [{ field: 'nickname' }] }] } })).toThrow(HarnessError);
    expect(() => open({ blocking: { passes: [{ name: 'by-nickname', keys: [{ field: 'nickname' }] }] } })).toThrow(/blocking\.passes\.0\.keys\.0\.field: no field named 'nickname'/);
  });

  it('reads the trait paths a config gives a field instead of its own', () => {
    const { context } = open({ traits: { city: ['ville'] } });
    const keys = (record: MatchRecord) => match!.blockingKeys(record, context).filter((key) => key.startsWith('given-city:'));
    expect(keys(profile('fr', { firstName: 'Amélie', ville: 'Lyon' }))).toEqual(['given-city:a540|lyon']);
    expect(keys(profile('au', { firstName: 'Amélie', city: 'Lyon' }))).toEqual([]);
  });

  it('refuses a review threshold above the link threshold', () => {
    expect(() => open({ thresholds: { link: 0.8, review: 0.9 } })).toThrow(/thresholds\.review: review must not be above link/);
  });
});
