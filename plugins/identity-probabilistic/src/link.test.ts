import { describe, expect, it } from 'vitest';
import type { MatchRecord } from '@weft/plugin-sdk';
import { linkRecords } from './link.js';

const person = (id: string, traits: Record<string, unknown>): MatchRecord => ({ id, traits, identifiers: {} });
const michaela = { firstName: 'michaela', lastName: 'neumann', birthDate: '19151111', streetNumber: '8', address1: 'stanley street', city: 'winston hills', postcode: '4223', state: 'nsw' };
const courtney = { firstName: 'courtney', lastName: 'painter', birthDate: '19161214', streetNumber: '12', address1: 'pinkerton circuit', city: 'richlands', postcode: '4560', state: 'vic' };

describe('linkRecords', () => {
  const crm = [person('crm-1', michaela), person('crm-2', courtney)];
  const shop = [person('shop-1', { ...courtney, lastName: 'paintr' }), person('shop-2', { ...michaela, firstName: 'micheala', postcode: '4232' })];

  it('links two lists, each pair left to right with its explanation', () => {
    const { pairs } = linkRecords(crm, shop);
    expect(pairs.map((pair) => [pair.left, pair.right, pair.score.decision])).toEqual(
      expect.arrayContaining([
        ['crm-1', 'shop-2', 'link'],
        ['crm-2', 'shop-1', 'link'],
      ]),
    );
    expect(pairs).toHaveLength(2);
    expect(pairs[0]!.score.fields.map((field) => field.field)).toContain('postcode');
  });

  it('finds duplicates within one list when there is no second', () => {
    const { pairs } = linkRecords([...crm, ...shop]);
    expect(pairs.map((pair) => [pair.left, pair.right].sort())).toEqual(expect.arrayContaining([['crm-1', 'shop-2'], ['crm-2', 'shop-1']]));
    expect(pairs).toHaveLength(2);
  });

  it('returns the pairs most probable first', () => {
    const { pairs } = linkRecords(crm, shop);
    expect(pairs[0]!.score.weight).toBeGreaterThanOrEqual(pairs[1]!.score.weight);
  });

  it('returns every compared pair with minProbability 0', () => {
    const everyone = [...crm, person('crm-3', { ...courtney, firstName: 'cathy', birthDate: '19700101', streetNumber: '3', address1: 'ocean road', city: 'bega' })];
    const { pairs, candidatePairs } = linkRecords(everyone, shop, { minProbability: 0 });
    expect(pairs).toHaveLength(candidatePairs);
    expect(pairs.some((pair) => pair.left === 'crm-3' && pair.score.decision === 'none')).toBe(true);
  });
});
