import { getCountries } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { normalizeCountry } from './country.js';

describe('normalizeCountry', () => {
  it('lower-cases an alpha-2 code', () => {
    expect(normalizeCountry('CN')).toBe('cn');
    expect(normalizeCountry(' us ')).toBe('us');
  });

  it('maps an alpha-3 code to alpha-2', () => {
    expect(normalizeCountry('CHN')).toBe('cn');
    expect(normalizeCountry('usa')).toBe('us');
    expect(normalizeCountry('DEU')).toBe('de');
  });

  it('maps English names, in any case and with or without accents and punctuation', () => {
    expect(normalizeCountry('China')).toBe('cn');
    expect(normalizeCountry('united states')).toBe('us');
    expect(normalizeCountry('United States of America')).toBe('us');
    expect(normalizeCountry('U.S.')).toBe('us');
    expect(normalizeCountry('The Netherlands')).toBe('nl');
    expect(normalizeCountry('Côte d’Ivoire')).toBe('ci');
    expect(normalizeCountry("Cote d'Ivoire")).toBe('ci');
    expect(normalizeCountry('Bosnia and Herzegovina')).toBe('ba');
    expect(normalizeCountry('Saint Kitts & Nevis')).toBe('kn');
  });

  it('maps the common names that are not the official ones', () => {
    expect(normalizeCountry('UK')).toBe('gb');
    expect(normalizeCountry('Great Britain')).toBe('gb');
    expect(normalizeCountry('Hong Kong')).toBe('hk');
    expect(normalizeCountry('South Korea')).toBe('kr');
    expect(normalizeCountry('Turkey')).toBe('tr');
    expect(normalizeCountry('Czech Republic')).toBe('cz');
  });

  it('folds full-width letters', () => {
    expect(normalizeCountry('ＣＮ')).toBe('cn');
  });

  it('knows every region libphonenumber-js knows except Ascension and Tristan da Cunha, which ISO 3166-1 does not list', () => {
    const regions = getCountries().filter((region) => region !== 'AC' && region !== 'TA');
    expect(regions.filter((region) => normalizeCountry(region) !== region.toLowerCase())).toEqual([]);
    expect(['AQ', 'BV', 'GS', 'HM', 'PN', 'TF', 'UM'].map((code) => normalizeCountry(code))).toEqual(['aq', 'bv', 'gs', 'hm', 'pn', 'tf', 'um']);
  });

  it.each([
    ['an unassigned alpha-2 code', 'QQ'],
    ['a region that is not a country', 'EU'],
    ['Ascension, which has a phone region but no ISO 3166-1 code', 'AC'],
    ['one letter', 'U'],
    ['a letter and a digit', 'U1'],
    ['digits', '12'],
    ['an unknown name', 'Atlantis'],
    ['an ambiguous name', 'Korea'],
    ['an empty string', ''],
    ['a number', 840],
    ['null', null],
  ])('answers undefined for %s', (_, value) => {
    expect(normalizeCountry(value)).toBeUndefined();
  });
});
