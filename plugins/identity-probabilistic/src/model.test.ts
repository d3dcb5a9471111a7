import { describe, expect, it } from 'vitest';
import { ConfigError, type MatchRecord } from '@weft/plugin-sdk';
import { createMatcher, parseResolverConfig } from './matcher.js';
import { untrainedModel, type MatchModel } from './model.js';

const ann: MatchRecord = { id: 'a', traits: { firstName: 'Ann', lastName: 'Lee', birthDate: '1990-05-17', postcode: '2000' }, identifiers: {} };
const annAgain: MatchRecord = { id: 'b', traits: { firstName: 'Ann', lastName: 'Lee', birthDate: '1990-05-17', postcode: '2000', city: 'Sydney' }, identifiers: {} };
const bob: MatchRecord = { id: 'c', traits: { firstName: 'Bob', lastName: 'Stone', birthDate: '1971-01-02', postcode: '3000' }, identifiers: {} };

const compare = (a: MatchRecord, b: MatchRecord, config = {}, model?: unknown) => {
  const matcher = createMatcher(config, model);
  return matcher.compare(matcher.prepare(a), matcher.prepare(b));
};

describe('the untrained model', () => {
  it('takes m and u from the config levels and gives different what is left', () => {
    const model = untrainedModel(parseResolverConfig({}));
    expect(model.fields['postcode']).toEqual({ exact: { m: 0.84, u: 0.001 }, close: { m: 0.12, u: 0.03 }, different: { m: expect.closeTo(0.04, 10), u: expect.closeTo(0.969, 10) } });
    expect(model.prior).toBe(1e-4);
  });
});

describe('a match score', () => {
  it('sums the field weights and the prior log-odds, in bits', () => {
    const score = compare(ann, annAgain);
    const prior = Math.log2(1e-4 / (1 - 1e-4));
    const fieldSum = score.fields.reduce((sum, field) => sum + field.weight, 0);
    expect(score.weight).toBeCloseTo(prior + fieldSum, 3);
  });

  it('turns the weight into a probability with the base-2 logistic', () => {
    const score = compare(ann, annAgain);
    expect(score.probability).toBeCloseTo(1 / (1 + 2 ** -score.weight), 4);
  });

  it('gives a missing value no weight', () => {
    expect(compare(ann, annAgain).fields.find((field) => field.field === 'city')).toEqual({ field: 'city', comparator: 'jaro-winkler', similarity: null, level: 'missing', weight: 0 });
  });

  it('explains each field with its comparator, similarity, level and weight', () => {
    const smith = compare({ ...ann, traits: { ...ann.traits, lastName: 'Smith' } }, { ...ann, traits: { ...ann.traits, lastName: 'Smyth' } }).fields.find((field) => field.field === 'lastName');
    expect(smith).toEqual({ field: 'lastName', comparator: 'jaro-winkler', similarity: 0.8933, level: 'somewhat', weight: expect.closeTo(Math.log2(0.07 / 0.015), 3) });
  });

  it('links above the link threshold, reviews between the thresholds, and leaves the rest', () => {
    expect(compare(ann, annAgain).decision).toBe('link');
    expect(compare(ann, bob).decision).toBe('none');
    const namesOnly = (record: MatchRecord) => ({ ...record, traits: { firstName: record.traits['firstName'], lastName: record.traits['lastName'] } });
    const uncertain = compare(namesOnly(ann), namesOnly(annAgain), { thresholds: { link: 0.95, review: 0.3 } });
    expect(uncertain.probability).toBeGreaterThan(0.3);
    expect(uncertain.decision).toBe('review');
  });
});

describe('a trained model', () => {
  const trained: MatchModel = {
    ...untrainedModel(parseResolverConfig({})),
    prior: 0.001,
  };

  it('is read from plain JSON', () => {
    const score = compare(ann, annAgain, {}, JSON.parse(JSON.stringify(trained)));
    expect(score.weight).toBeCloseTo(compare(ann, annAgain).weight + Math.log2((0.001 / 0.999) / (1e-4 / (1 - 1e-4))), 3);
  });

  it('leaves fields it does not know to their untrained values', () => {
    const { postcode: _dropped, ...fields } = trained.fields;
    const withoutPostcode = { ...trained, fields };
    const postcode = (model: unknown) => compare(ann, annAgain, {}, model).fields.find((field) => field.field === 'postcode')!.weight;
    expect(postcode(withoutPostcode)).toBe(postcode(undefined));
  });

  it('is refused with a ConfigError saying to retrain when it is not one this resolver made', () => {
    expect(() => compare(ann, annAgain, {}, { version: 7 })).toThrow(ConfigError);
    expect(() => compare(ann, annAgain, {}, { version: 7 })).toThrow(/train it again/);
  });
});
