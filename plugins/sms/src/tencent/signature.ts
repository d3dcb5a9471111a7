import { createHash, createHmac } from 'node:crypto';

export interface Tc3Request {
  secretId: string;
  secretKey: string;
  /** Host header as sent, e.g. `sms.tencentcloudapi.com` (with the port when it is not the default). */
  host: string;
  /** Product, e.g. `sms`. */
  service: string;
  /** Seconds since the epoch; also sent as `X-TC-Timestamp`. */
  timestamp: number;
  contentType: string;
  /** The exact JSON body sent. */
  payload: string;
}

export interface Tc3Signature {
  hashedPayload: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  /** The `Authorization` header value. */
  authorization: string;
}

const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const hmac = (key: Buffer | string, value: string) => createHmac('sha256', key).update(value, 'utf8').digest();

/**
 * Tencent Cloud API 3.0 TC3-HMAC-SHA256 for a POST with a JSON body, signing `content-type` and `host`.
 * The credential scope's date is the UTC date of `timestamp` (not Beijing time).
 *
 * @example
 * signTc3({ secretId, secretKey, host: 'sms.tencentcloudapi.com', service: 'sms', timestamp: 1551113065,
 *   contentType: 'application/json; charset=utf-8', payload: '{}' }).authorization // 'TC3-HMAC-SHA256 Credential=…'
 */
export function signTc3(request: Tc3Request): Tc3Signature {
  const hashedPayload = sha256Hex(request.payload);
  const signedHeaders = 'content-type;host';
  const canonicalHeaders = `content-type:${request.contentType.toLowerCase()}\nhost:${request.host.toLowerCase()}\n`;
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, hashedPayload].join('\n');
  const date = new Date(request.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${request.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(request.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const secretSigning = hmac(hmac(hmac(`TC3${request.secretKey}`, date), request.service), 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  const authorization = `TC3-HMAC-SHA256 Credential=${request.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { hashedPayload, canonicalRequest, stringToSign, signature, authorization };
}
