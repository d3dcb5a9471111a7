import { badInput } from '../errors.js';

const syntax = 'type:value or type:scope:value (email:ada@example.com, wechat_openid:wx5823bf96d3bd56c7:o6_bmjrPTlm6)';

/** An argument with a `:` names an identifier; anything else is a profile id. */
export const isIdentifier = (text: string) => text.includes(':');

/**
 * Checks the shape of an identifier before any request: a type, then a non-empty value. The
 * server normalises the value and judges the rest (unknown type, missing scope).
 *
 * @example
 * parseIdentifier('email:Ada@Example.com')   // 'email:Ada@Example.com'
 * parseIdentifier('email:', '--identifier') // throws: --identifier 'email:' is not an identifier: expected type:value …
 */
export function parseIdentifier(text: string, flag?: string): string {
  const separator = text.indexOf(':');
  const type = text.slice(0, separator);
  const rest = text.slice(separator + 1);
  if (separator <= 0 || !/^[A-Za-z][\w.-]*$/.test(type) || rest.split(':').some((part) => part.trim() === '')) {
    throw badInput(`${flag ? `${flag} ` : ''}'${text}' is not an identifier: expected ${syntax}`);
  }
  return text;
}
