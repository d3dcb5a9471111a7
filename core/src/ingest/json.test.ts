import { describe, expect, it } from 'vitest';
import { jsonSizeBound, storableJsonText, storableString } from './json.js';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('jsonSizeBound', () => {
  const values: Array<[string, unknown]> = [
    ['control characters', { a: '\u0000\u0001\u001f', b: '"\\' }],
    ['multi-byte text', { name: 'Zoë 李 😀', '键': '值' }],
    ['lone surrogates', ['\uD800', 'x\uDFFF']],
    ['numbers that grow when written', [1e21, -1.7976931348623157e308, 5e-324, -0, 123456789012345680000]],
    ['literals and holes', [true, false, null, undefined, () => 1]],
    ['a date (written through toJSON)', { at: new Date(0) }],
    ['nesting', { a: [{ b: [{ c: [] }] }], d: {} }],
    ['a realistic event', { type: 'track', userId: 'u-1', properties: { price: 79.9, tags: ['a', 'b'] }, context: { ip: '203.0.113.7' } }],
  ];
  for (const [what, value] of values) {
    it(`is never below the real size: ${what}`, () => {
      expect(jsonSizeBound(value, 64)).toBeGreaterThanOrEqual(bytes(value));
    });
  }

  it('answers -1 past the depth limit and a bound within it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10; i++) deep = [deep];
    expect(jsonSizeBound(deep, 9)).toBe(-1);
    expect(jsonSizeBound(deep, 10)).toBeGreaterThan(0);
  });
});

describe('storableJsonText', () => {
  it('drops NUL escapes and replaces unpaired surrogates, keeping escaped backslashes and pairs', () => {
    const text = JSON.stringify({ nul: 'a\u0000b', lone: '\uD800x', pair: '😀', literal: '\\u0000', odd: '\\\u0000' });
    expect(JSON.parse(storableJsonText(text))).toEqual({ nul: 'ab', lone: '\uFFFDx', pair: '😀', literal: '\\u0000', odd: '\\' });
  });

  it('returns text without such escapes unchanged', () => {
    const text = JSON.stringify({ a: 'plain', b: 'ü' });
    expect(storableJsonText(text)).toBe(text);
  });
});

describe('storableString', () => {
  it('repairs one string the way storableJsonText repairs JSON', () => {
    expect(storableString('a\u0000b\uDC00')).toBe('ab\uFFFD');
    expect(storableString('fine')).toBe('fine');
  });
});
