import type { BlockingEncoding, BlockingPass, FieldSpec } from './config.js';

/**
 * The fields of a person, read from Segment-style traits (`firstName`, `address.city`, …) or
 * snake_case ones (`given_name`, `suburb`, …, as in FEBRL exports). The m and u values are the
 * model before any training: m from the error rates seen in dirty customer data, u from how
 * often two different people share a value.
 */
export const personFields: FieldSpec[] = [
  {
    name: 'firstName',
    traits: ['firstName', 'first_name', 'givenName', 'given_name', 'firstname'],
    comparator: 'jaro-winkler',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.75, u: 0.01 },
      { name: 'close', atLeast: 0.92, m: 0.12, u: 0.003 },
      { name: 'somewhat', atLeast: 0.8, m: 0.06, u: 0.02 },
    ],
  },
  {
    name: 'lastName',
    traits: ['lastName', 'last_name', 'surname', 'familyName', 'family_name', 'lastname'],
    comparator: 'jaro-winkler',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.72, u: 0.005 },
      { name: 'close', atLeast: 0.92, m: 0.14, u: 0.002 },
      { name: 'somewhat', atLeast: 0.8, m: 0.07, u: 0.015 },
    ],
  },
  {
    name: 'birthDate',
    traits: ['birthDate', 'birth_date', 'birthday', 'dateOfBirth', 'date_of_birth', 'dob'],
    comparator: 'date',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.9, u: 0.00005 },
      { name: 'transposed', atLeast: 0.9, m: 0.005, u: 0.00003 },
      { name: 'one-digit', atLeast: 0.8, m: 0.04, u: 0.001 },
      { name: 'same-year', atLeast: 0.5, m: 0.01, u: 0.012 },
    ],
  },
  {
    name: 'streetNumber',
    traits: ['streetNumber', 'street_number', 'houseNumber', 'house_number', 'address.streetNumber'],
    comparator: 'levenshtein',
    normalise: 'lowercase',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.85, u: 0.02 },
      { name: 'close', atLeast: 0.5, m: 0.08, u: 0.06 },
    ],
  },
  {
    name: 'address1',
    traits: ['address1', 'address_1', 'addressLine1', 'address_line_1', 'address.street', 'street'],
    comparator: 'tokens',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.65, u: 0.0005 },
      { name: 'close', atLeast: 0.92, m: 0.2, u: 0.002 },
      { name: 'somewhat', atLeast: 0.8, m: 0.08, u: 0.05 },
    ],
  },
  {
    name: 'address2',
    traits: ['address2', 'address_2', 'addressLine2', 'address_line_2', 'address.line2'],
    comparator: 'jaro-winkler',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.65, u: 0.0005 },
      { name: 'close', atLeast: 0.92, m: 0.2, u: 0.002 },
      { name: 'somewhat', atLeast: 0.8, m: 0.08, u: 0.03 },
    ],
  },
  {
    name: 'city',
    traits: ['city', 'suburb', 'town', 'locality', 'address.city'],
    comparator: 'jaro-winkler',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.75, u: 0.001 },
      { name: 'close', atLeast: 0.92, m: 0.13, u: 0.001 },
      { name: 'somewhat', atLeast: 0.8, m: 0.06, u: 0.02 },
    ],
  },
  {
    name: 'postcode',
    traits: ['postcode', 'postalCode', 'postal_code', 'zip', 'zipCode', 'zip_code', 'address.postalCode'],
    comparator: 'levenshtein',
    normalise: 'lowercase',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.84, u: 0.001 },
      { name: 'close', atLeast: 0.75, m: 0.12, u: 0.03 },
    ],
  },
  {
    name: 'state',
    traits: ['state', 'region', 'province', 'address.state'],
    comparator: 'jaro-winkler',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.95, u: 0.2 },
      { name: 'close', atLeast: 0.8, m: 0.03, u: 0.03 },
    ],
  },
  {
    name: 'phone',
    traits: ['phone', 'phoneNumber', 'phone_number', 'mobile'],
    identifier: 'phone',
    comparator: 'levenshtein',
    normalise: 'digits',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.85, u: 0.00001 },
      { name: 'close', atLeast: 0.9, m: 0.07, u: 0.0001 },
    ],
  },
  {
    name: 'email',
    traits: ['email', 'emailAddress', 'email_address'],
    identifier: 'email',
    comparator: 'jaro-winkler',
    normalise: 'lowercase',
    levels: [
      { name: 'exact', atLeast: 1, m: 0.8, u: 0.000001 },
      { name: 'close', atLeast: 0.95, m: 0.08, u: 0.0001 },
    ],
  },
];

/**
 * Blocking passes for people: two records are compared when any pass gives them the same key,
 * so a typo in one field (or a missing value) still leaves other passes to find the pair. Each
 * pass pairs two fields, names and streets by sound, so no block gets large.
 */
export const personBlockingPasses: BlockingPass[] = [
  pass('surname-postcode', ['lastName', 'soundex'], ['postcode', 'value']),
  pass('surname-birthdate', ['lastName', 'soundex'], ['birthDate', 'value']),
  pass('surname-city', ['lastName', 'soundex'], ['city', 'soundex']),
  pass('names', ['firstName', 'soundex'], ['lastName', 'soundex']),
  pass('given-city', ['firstName', 'soundex'], ['city', 'value']),
  pass('birthdate-state', ['birthDate', 'value'], ['state', 'value']),
  pass('street-city', ['address1', 'soundex'], ['city', 'soundex']),
  pass('street-postcode', ['address1', 'soundex'], ['postcode', 'value']),
  pass('street-number', ['address1', 'soundex'], ['streetNumber', 'value']),
  pass('postcode-number', ['postcode', 'value'], ['streetNumber', 'value']),
  pass('phone', ['phone', 'value']),
  pass('email', ['email', 'value']),
];

function pass(name: string, ...keys: Array<[field: string, encode: BlockingEncoding]>): BlockingPass {
  return { name, keys: keys.map(([field, encode]) => ({ field, encode })) };
}
