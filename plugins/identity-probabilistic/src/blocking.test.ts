import { describe, expect, it } from 'vitest';
import { blockingKeyMaker, candidatePairs } from './blocking.js';
import { compileField, prepareRecord } from './fields.js';
import { personBlockingPasses, personFields } from './person-defaults.js';

const fields = personFields.map(compileField);
const keysOf = blockingKeyMaker(personBlockingPasses, fields);
const keys = (traits: Record<string, unknown>, identifiers: Record<string, string[]> = {}) => keysOf(prepareRecord({ id: 'r', traits, identifiers }, fields));

const michaela = { firstName: 'michaela', lastName: 'neumann', birthDate: '1915-11-11', streetNumber: '8', address1: 'stanley street', city: 'winston hills', postcode: '4223', state: 'nsw' };

describe('blocking keys', () => {
  it('makes one key per pass whose fields all have a value, prefixed with the pass', () => {
    expect(keys(michaela)).toEqual(expect.arrayContaining(['surname-postcode:n550|4223', 'birthdate-state:19151111|nsw', 'names:m240|n550']));
    expect(keys(michaela).some((key) => key.startsWith('phone:'))).toBe(false);
  });

  it('blocks on normalised identifiers, one key per value', () => {
    expect(keys({}, { email: ['ann@example.com', 'ann@work.example'] })).toEqual(['email:ann@example.com', 'email:ann@work.example']);
  });

  it('escapes the part separator inside a value', () => {
    expect(keys({}, { email: ['a|b@example.com'] })).toEqual(['email:a\\|b@example.com']);
  });
});

describe('candidate pairs', () => {
  const stranger = { firstName: 'charles', lastName: 'green', birthDate: '1948-09-30', city: 'dapto', postcode: '4566', state: 'vic' };
  const keysOfAll = (...traits: Array<Record<string, unknown>>) => traits.map((t) => keys(t));

  it('gives a one-letter surname typo the same sound key', () => {
    const [original, typo] = keysOfAll(michaela, { ...michaela, lastName: 'nuemann' });
    expect(typo).toContain('surname-postcode:n550|4223');
    expect(original).toContain('surname-postcode:n550|4223');
  });

  it('still pairs two records when a typo changes every surname key, through the other passes', () => {
    const prepared = keysOfAll(michaela, { ...michaela, lastName: 'keumann' }, stranger);
    expect(prepared[1]!.filter((key) => key.startsWith('surname-') && prepared[0]!.includes(key))).toEqual([]);
    const pairs = candidatePairs(prepared, undefined, 500);
    expect([...pairs.left]).toEqual([0]);
    expect([...pairs.right]).toEqual([1]);
  });

  it('pairs records across two lists, each pair once although several keys are shared', () => {
    const [original, typo, other] = keysOfAll(michaela, { ...michaela, lastName: 'keumann' }, stranger);
    const pairs = candidatePairs([original!], [other!, typo!], 500);
    expect([...pairs.left]).toEqual([0]);
    expect([...pairs.right]).toEqual([1]);
  });

  it('skips a key shared by more records than maxBlockSize', () => {
    const crowd = Array.from({ length: 4 }, () => ['city:sydney']);
    expect(candidatePairs(crowd, undefined, 3)).toMatchObject({ oversizedKeys: 1, left: new Uint32Array(0) });
    expect(candidatePairs(crowd, undefined, 4).left).toHaveLength(6);
  });
});
