import { describe, expect, it } from 'vitest';
import type { MatchRecord } from '@weft/plugin-sdk';
import type { FieldSpec } from './config.js';
import { compileField, MISSING } from './fields.js';
import { personFields } from './person-defaults.js';

const record = (traits: Record<string, unknown>, identifiers: Record<string, string[]> = {}): MatchRecord => ({ id: 'r1', traits, identifiers });
const person = (name: string) => compileField(personFields.find((field) => field.name === name)!);

describe('reading a field', () => {
  it('reads the camelCase trait, or its snake_case form as FEBRL exports have it', () => {
    expect(person('firstName').values(record({ firstName: 'Michaela' }))).toEqual(['michaela']);
    expect(person('firstName').values(record({ given_name: 'michaela' }))).toEqual(['michaela']);
    expect(person('city').values(record({ suburb: ' Winston Hills ' }))).toEqual(['winston hills']);
  });

  it('reaches nested Segment traits by path', () => {
    expect(person('postcode').values(record({ address: { postalCode: '4223' } }))).toEqual(['4223']);
  });

  it('reads numbers and dates as their text', () => {
    expect(person('postcode').values(record({ postcode: 4223 }))).toEqual(['4223']);
    expect(person('birthDate').values(record({ birthday: new Date('1915-11-11T00:00:00Z') }))).toEqual(['19151111']);
  });

  it('adds the identifiers of its type to the trait value', () => {
    const phone = person('phone');
    expect(phone.values(record({ phone: '+61 2 9876 5432' }, { phone: ['+61298765432', '+61400000000'] }))).toEqual(['61298765432', '61400000000']);
  });

  it('has no value when the trait is absent, empty or not comparable', () => {
    expect(person('lastName').values(record({}))).toEqual([]);
    expect(person('lastName').values(record({ surname: '  ' }))).toEqual([]);
    expect(person('birthDate').values(record({ birthDate: 'unknown' }))).toEqual([]);
  });
});

describe('comparing a field', () => {
  it('falls into the levels by similarity, the last being different', () => {
    const firstName = person('firstName');
    expect(firstName.levels).toEqual(['exact', 'close', 'somewhat', 'different']);
    const level = (a: string, b: string) => firstName.levels[firstName.levelOf(firstName.similarity([a], [b]))];
    expect(level('martha', 'martha')).toBe('exact');
    expect(level('martha', 'marhta')).toBe('close');
    expect(level('dwayne', 'duane')).toBe('somewhat');
    expect(level('martha', 'courtney')).toBe('different');
  });

  it('is missing when either side has no value', () => {
    const lastName = person('lastName');
    expect(lastName.similarity([], ['neumann'])).toBe(MISSING);
    expect(lastName.levelOf(MISSING)).toBe(MISSING);
  });

  it('takes the closest pair when a side has several values', () => {
    const email = person('email');
    expect(email.similarity(['a@old.example', 'ann@new.example'], ['ann@new.example'])).toBe(1);
  });

  it('honours a custom numeric field with its scale', () => {
    const age: FieldSpec = { name: 'age', traits: ['age'], comparator: 'numeric', scale: 10, levels: [{ name: 'exact', atLeast: 1 }, { name: 'close', atLeast: 0.8 }] };
    const field = compileField(age);
    expect(field.levelOf(field.similarity(['42'], ['44']))).toBe(1);
  });
});
