import { Args } from '@oclif/core';
import { usageError } from '../errors.js';

/** `expected` says what the argument must be, for the message that refuses it (`a review id`). A type, not an interface: oclif needs an index signature. */
export type ArgOptions = { expected?: string };

/**
 * An argument that names something (a connector, a profile, a plugin): an empty one is a usage
 * error here rather than a request for a path the server has no route for.
 *
 * @example
 * static override args = { id: nameArg({ description: 'Connector id', expected: 'a connector id', required: true }) };
 * // weft connectors status '' → Error: ID must be a connector id; got an empty value (exit 2)
 */
export const nameArg = Args.custom<string, ArgOptions>({
  async parse(input, _context, { name, expected = 'given' }) {
    if (input.trim() === '') throw usageError(`${name.toUpperCase()} must be ${expected}; got an empty value`);
    return input;
  },
});

/**
 * An argument holding an id that is a positive whole number. Anything else — `abc`, `-1`, `1.5`, or
 * a number too large to keep exactly (it would be sent altered) — is a usage error naming it.
 *
 * @example
 * static override args = { id: positiveIntegerArg({ description: 'Review id', expected: 'a review id', required: true }) };
 * // weft identity review accept 1.5 → Error: ID must be a review id: a positive whole number; got '1.5' (exit 2)
 */
export const positiveIntegerArg = Args.custom<number, ArgOptions>({
  async parse(input, _context, { name, expected = 'an id' }) {
    const wanted = `${name.toUpperCase()} must be ${expected}: a positive whole number`;
    if (!/^\d+$/.test(input) || /^0+$/.test(input)) throw usageError(`${wanted}; got '${input}'`);
    const value = Number(input);
    if (!Number.isSafeInteger(value)) throw usageError(`${wanted} up to ${Number.MAX_SAFE_INTEGER}; got '${input}'`);
    return value;
  },
});
