/**
 * Walks a JSON value once and returns an upper bound of the UTF-8 bytes `JSON.stringify` would
 * produce, or -1 when it nests objects or arrays deeper than `maxDepth` (PostgreSQL's jsonb parser
 * and `JSON.stringify` both recurse, so unbounded nesting would turn bad input into a server error).
 * Building no string, it is several times cheaper than measuring; only a value whose bound passes
 * a limit needs the exact size.
 *
 * @example
 * jsonSizeBound({ a: [1, 'x'] }, 64) // ≥ 13, the length of '{"a":[1,"x"]}'
 */
export function jsonSizeBound(value: unknown, maxDepth: number): number {
  switch (typeof value) {
    case 'string':
      // A UTF-16 unit is at most 6 bytes of JSON (an escape like \u001f); unescaped, at most 3.
      return 2 + 6 * value.length;
    case 'number':
      return 24; // the longest is '-1.7976931348623157e+308'
    case 'boolean':
      return 5;
    case 'object':
      break;
    default:
      return 4; // undefined or a function: left out, or `null` in an array
  }
  if (value === null) return 4;
  if (maxDepth <= 0) return -1;
  // Dates and the like serialise through toJSON, which the walk cannot foresee.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return Number.MAX_SAFE_INTEGER;
  let bound = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      const size = jsonSizeBound(item, maxDepth - 1);
      if (size < 0) return -1;
      bound += size + 1;
    }
    return bound;
  }
  for (const key in value) {
    const size = jsonSizeBound((value as Record<string, unknown>)[key], maxDepth - 1);
    if (size < 0) return -1;
    bound += 2 + 6 * key.length + 2 + size;
  }
  return bound;
}

// In JSON.stringify output a NUL is always the escape \u0000 and an unpaired surrogate always a
// \udXXX escape (paired ones are written as characters); an even run of backslashes before it
// means the backslash is the escape's own, not an escaped backslash followed by plain text.
const unstorableEscape = /(?<!\\)((?:\\\\)*)\\u(?:0000|(d[89a-f][0-9a-f]{2}))/gi;

/**
 * Makes JSON text PostgreSQL's jsonb accepts: drops NUL characters and replaces unpaired
 * surrogates with U+FFFD (RudderStack's gateway does the same), leaving all else untouched.
 *
 * @example
 * storableJsonText(JSON.stringify({ name: 'a\u0000b' })) // '{"name":"ab"}'
 */
export function storableJsonText(text: string): string {
  if (!/\\u(?:0000|d[89a-f])/i.test(text)) return text;
  return text.replace(unstorableEscape, (_match, backslashes: string, surrogate: string | undefined) =>
    surrogate === undefined ? backslashes : `${backslashes}\\ufffd`,
  );
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The same repair as `storableJsonText` for one string (an id stored in its own column).
 *
 * @example
 * storableString('a\u0000b') // 'ab'
 */
export function storableString(value: string): string {
  if (!/[\u0000\uD800-\uDFFF]/.test(value)) return value;
  return value.replaceAll('\u0000', '').replace(loneSurrogate, '\uFFFD');
}
