import { describe, expect, it } from 'vitest';
import { febrlTruth, readFebrl } from '../fixtures/febrl.js';
import { trainModel } from './train.js';

const records = readFebrl('dataset1.csv');
const trueLinks = febrlTruth(records).length;

describe('trainModel', () => {
  const model = trainModel(records);

  it('returns plain JSON', () => {
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('gives the same model for the same records', () => {
    expect(trainModel(records)).toEqual(model);
  });

  it('finds exact agreement far likelier among matches than among different people', () => {
    for (const [field, levels] of Object.entries(model.fields)) expect(levels['exact']!.m / levels['exact']!.u, field).toBeGreaterThan(4);
  });

  it('leaves out fields the records do not have, so they keep their untrained values', () => {
    expect(Object.keys(model.fields)).not.toContain('phone');
    expect(Object.keys(model.fields)).not.toContain('email');
    expect(Object.keys(model.fields)).toContain('lastName');
  });

  it('keeps the untrained prior when blocking finds no candidate pair', () => {
    expect(trainModel([]).prior).toBe(1e-4);
    expect(trainModel(records.slice(0, 1), undefined, { prior: 0.002 })).toMatchObject({ prior: 0.002, fields: {}, training: { candidatePairs: 0 } });
  });

  it('estimates about as many matches as there are, and the prior from them', () => {
    const allPairs = (records.length * (records.length - 1)) / 2;
    expect(model.training!.estimatedMatches).toBeGreaterThan(trueLinks * 0.95);
    expect(model.training!.estimatedMatches).toBeLessThan(trueLinks * 1.05);
    expect(model.prior * allPairs).toBeCloseTo(model.training!.estimatedMatches, 0);
  });

  it('records how it was trained', () => {
    expect(model.training).toMatchObject({ records: 1000, randomPairs: 20_000, converged: true, oversizedKeys: 0 });
    expect(model.training!.candidatePairs).toBeGreaterThan(trueLinks);
  });
});
