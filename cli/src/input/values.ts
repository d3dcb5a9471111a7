import { badInput } from '../errors.js';

/**
 * Parses a flag that must hold a JSON object, naming the flag when it does not.
 *
 * @example
 * parseJsonObject('--properties', '{"plan":"pro"}') // { plan: 'pro' }
 */
export function parseJsonObject(flag: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badInput(`${flag} is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badInput(`${flag} must be a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

/**
 * Applies `--set key=value` pairs onto an object; dotted keys make nested objects. A value that
 * parses as JSON (`8`, `true`, `null`, `["a"]`, `{"a":1}`, `"8"`) is used as that JSON, anything
 * else as a string — quote it as JSON (`key='"8"'`) to force a string.
 *
 * @example
 * applySetPairs({}, ['url=https://example.com/in', 'retry.maxAttempts=5'])
 * // { url: 'https://example.com/in', retry: { maxAttempts: 5 } }
 */
export function applySetPairs(target: Record<string, unknown>, pairs: string[]): Record<string, unknown> {
  const result = structuredClone(target);
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) throw badInput(`--set expects key=value, got '${pair}'`);
    const path = pair.slice(0, separator).split('.');
    if (path.some((key) => key === '')) throw badInput(`--set key '${pair.slice(0, separator)}' has an empty segment`);
    let node = result;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = next !== null && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : (node[key] = {});
    }
    node[path.at(-1)!] = parseScalar(pair.slice(separator + 1));
  }
  return result;
}

function parseScalar(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const relativeUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A time flag as an ISO string: an ISO date/time, or a duration back from now (`30m`, `6h`, `7d`).
 *
 * @example
 * parseTimeFlag('--since', '2h', Date.parse('2025-03-04T12:00:00Z')) // '2025-03-04T10:00:00.000Z'
 */
export function parseTimeFlag(flag: string, text: string | undefined, now: number = Date.now()): string | undefined {
  if (text === undefined) return undefined;
  const relative = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (relative) return new Date(now - Number(relative[1]) * relativeUnits[relative[2]!]!).toISOString();
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw badInput(`${flag} must be an ISO time (2025-03-04T12:00:00Z) or a duration back from now (30m, 6h, 7d), got '${text}'`);
  return new Date(parsed).toISOString();
}
