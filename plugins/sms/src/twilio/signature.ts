import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Form parameters of a Twilio webhook; a repeated name carries several values. */
export type TwilioParams = Record<string, string | string[]>;

/**
 * `X-Twilio-Signature` of a request: base64 HMAC-SHA1, keyed with the auth token, of the full URL
 * followed by every POST parameter as name + value, names sorted; a repeated name's values are
 * de-duplicated and sorted (as twilio-node does). JSON-body webhooks sign the URL alone.
 *
 * @example
 * twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', { To: '+18005551212', … }) // 'RSOYDt4T1cUTdK1PDd93/VVr8B8='
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const item of values) data += name + item;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export interface ValidateTwilioRequest {
  authToken: string;
  /** The `X-Twilio-Signature` header. */
  signature: string | null | undefined;
  /** The URL Twilio requested, exactly as configured at Twilio (scheme, host, path and query). */
  url: string;
  /** Form parameters of an `application/x-www-form-urlencoded` request. */
  params?: TwilioParams;
  /** The raw body of a JSON request (its SHA-256 must match the URL's `bodySHA256`). */
  jsonBody?: string;
}

/**
 * Whether a webhook really comes from Twilio. Twilio may have signed the URL with or without the
 * default port, and with its query as received or re-encoded, so every one of those forms is tried.
 */
export function validateTwilioRequest({ authToken, signature, url, params = {}, jsonBody }: ValidateTwilioRequest): boolean {
  if (!signature) return false;
  let signedParams = params;
  if (jsonBody !== undefined) {
    const expectedHash = new URL(url).searchParams.get('bodySHA256');
    if (!expectedHash || !safeEqual(createHash('sha256').update(jsonBody, 'utf8').digest('hex'), expectedHash)) return false;
    signedParams = {};
  }
  return urlVariants(url).some((candidate) => safeEqual(twilioSignature(authToken, candidate, signedParams), signature));
}

/** The URL as received and re-encoded by WHATWG URL, each with and without the scheme's default port. */
function urlVariants(url: string): string[] {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : undefined;
  const variants = new Set<string>([url, parsed.toString()]);
  for (const candidate of [...variants]) {
    if (!defaultPort) continue;
    variants.add(withPort(candidate, parsed.host, `${parsed.hostname}:${defaultPort}`));
    variants.add(withPort(candidate, `${parsed.hostname}:${defaultPort}`, parsed.hostname));
  }
  return [...variants];
}

/** Replaces the authority's host[:port] (after any `user:pass@`) without re-encoding the rest. */
function withPort(url: string, from: string, to: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?)([^/?#]*)/i, (whole, prefix: string, host: string) =>
    host.toLowerCase() === from.toLowerCase() ? `${prefix}${to}` : whole,
  );
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
