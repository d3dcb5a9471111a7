import { createHmac } from 'node:crypto';

/**
 * Aliyun's percent-encoding for RPC signatures: RFC 3986, every byte but `A-Z a-z 0-9 - _ . ~`
 * encoded (so a space is `%20`, never `+`, and `*` is `%2A`).
 *
 * @example
 * percentEncode('a b*~') // 'a%20b%2A~'
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The parameters sorted by name (byte order) and joined as `name=value&…`, both percent-encoded. */
export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name]!)}`)
    .join('&');
}

/** `METHOD&%2F&percentEncode(canonicalQuery)`: what Signature V1 signs. */
export function aliyunStringToSign(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
}

/**
 * Aliyun RPC Signature V1: base64 HMAC-SHA1 of the string to sign, keyed with `AccessKeySecret&`.
 * `params` are every request parameter except `Signature` itself.
 *
 * @example
 * signAliyunRequest('POST', { Action: 'SendSms', AccessKeyId: 'testId', … }, 'testSecret') // 'zJDF+Lrzhj/…='
 */
export function signAliyunRequest(method: string, params: Record<string, string>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(aliyunStringToSign(method, params), 'utf8').digest('base64');
}

/** The signed query string, `Signature=…&<canonical query>`, as Aliyun's docs write a GET request (or a POST body). */
export function signedAliyunQuery(method: string, params: Record<string, string>, accessKeySecret: string): string {
  return `Signature=${percentEncode(signAliyunRequest(method, params, accessKeySecret))}&${canonicalQuery(params)}`;
}
