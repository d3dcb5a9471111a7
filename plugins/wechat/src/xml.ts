import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ValidationError } from '@weft/plugin-sdk';

/** A WeChat XML message: element names as WeChat spells them, text values (MsgId stays a string). */
export type WeChatMessage = { [field: string]: string | WeChatMessage };

// Values stay strings: MsgId has 19 digits and would lose precision as a number.
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, trimValues: true, processEntities: true });

/**
 * Parses the `<xml>…</xml>` WeChat posts (or the plaintext of an `Encrypt`).
 * Throws a `ValidationError` naming the problem for anything else.
 *
 * @example
 * parseWeChatXml('<xml><MsgType><![CDATA[text]]></MsgType></xml>') // { MsgType: 'text' }
 */
export function parseWeChatXml(text: string): WeChatMessage {
  if (text.trim() === '') throw new ValidationError('the request body is empty; WeChat sends an <xml> document');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new ValidationError(`the request body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const document = parser.parse(text) as Record<string, unknown>;
  const root = document['xml'];
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw new ValidationError('the request body has no <xml> element with fields');
  return root as WeChatMessage;
}

/** A text field of a message, or undefined when it is absent or not text. */
export function textField(message: WeChatMessage, name: string): string | undefined {
  const value = message[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
