import { readText } from './text.js';

export interface NormalizeEmailOptions {
  /**
   * Gmail ignores dots and anything after `+` in the local part, and googlemail.com is gmail.com:
   * fold them so one mailbox has one value. Turn on where a platform asks for it (Google Customer Match).
   */
  canonicalizeGmail?: boolean;
}

// One @, a local part, and a domain of at least two non-empty labels; no whitespace anywhere.
const EMAIL = /^([^\s@]+)@([^\s@.]+(?:\.[^\s@.]+)+)$/u;
const GMAIL_DOMAINS: ReadonlySet<string> = new Set(['gmail.com', 'googlemail.com']);

/**
 * An email address trimmed and lower-cased (full-width characters folded), or `undefined` when the
 * value does not look like an address.
 *
 * @example
 * normalizeEmail('  Ada.Lovelace@Example.COM ') // 'ada.lovelace@example.com'
 * normalizeEmail('A.da+news@GoogleMail.com', { canonicalizeGmail: true }) // 'ada@gmail.com'
 * normalizeEmail('not an address') // undefined
 */
export function normalizeEmail(value: unknown, options: NormalizeEmailOptions = {}): string | undefined {
  const text = readText(value)?.toLowerCase();
  const match = text === undefined ? null : EMAIL.exec(text);
  if (!match) return undefined;
  const [, local = '', domain = ''] = match;
  if (!options.canonicalizeGmail || !GMAIL_DOMAINS.has(domain)) return `${local}@${domain}`;
  const mailbox = local.split('+', 1)[0]!.replaceAll('.', '');
  return mailbox === '' ? undefined : `${mailbox}@gmail.com`;
}
