import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aliyunStringToSign, signAliyunRequest, signedAliyunQuery } from './aliyun/signature.js';
import { signTc3 } from './tencent/signature.js';
import { twilioSignature, validateTwilioRequest, type TwilioParams } from './twilio/signature.js';

interface Vectors {
  aliyun_rpc_v1: Array<{ id: string; method: string; accessKeySecret: string; params: Record<string, string>; expectedStringToSign?: string; expectedSignature: string; expectedUrl?: string }>;
  tencent_tc3_hmac_sha256: Array<{
    id: string; secretId: string; secretKey: string; host: string; service: string; timestamp: number; contentType: string; payload: string;
    expectedHashedPayload: string; expectedCanonicalRequest: string; expectedHashedCanonicalRequest: string; expectedStringToSign: string; expectedSignature: string;
  }>;
  twilio_request_validator: Array<{ id: string; authToken: string; url: string; params?: TwilioParams; body?: string; expectedSignature: string; url_as_received?: string }>;
}

const vectors = JSON.parse(readFileSync(new URL('../fixtures/signing-vectors.json', import.meta.url), 'utf8')) as Vectors;

describe('Aliyun RPC Signature V1', () => {
  it.each(vectors.aliyun_rpc_v1.map((vector) => [vector.id, vector] as const))('reproduces %s', (_, vector) => {
    if (vector.expectedStringToSign) expect(aliyunStringToSign(vector.method, vector.params)).toBe(vector.expectedStringToSign);
    expect(signAliyunRequest(vector.method, vector.params, vector.accessKeySecret)).toBe(vector.expectedSignature);
    if (vector.expectedUrl) expect(`http://dysmsapi.aliyuncs.com/?${signedAliyunQuery(vector.method, vector.params, vector.accessKeySecret)}`).toBe(vector.expectedUrl);
  });
});

describe('Tencent Cloud TC3-HMAC-SHA256', () => {
  it.each(vectors.tencent_tc3_hmac_sha256.map((vector) => [vector.id, vector] as const))('reproduces %s, dated in UTC', (_, vector) => {
    const signed = signTc3(vector);
    expect(signed.hashedPayload).toBe(vector.expectedHashedPayload);
    expect(signed.canonicalRequest).toBe(vector.expectedCanonicalRequest);
    expect(signed.stringToSign).toBe(vector.expectedStringToSign);
    expect(signed.stringToSign.split('\n')[3]).toBe(vector.expectedHashedCanonicalRequest);
    expect(signed.signature).toBe(vector.expectedSignature);
    expect(signed.authorization).toBe(
      `TC3-HMAC-SHA256 Credential=${vector.secretId}/2019-02-25/${vector.service}/tc3_request, SignedHeaders=content-type;host, Signature=${vector.expectedSignature}`,
    );
  });
});

describe('Twilio request validation', () => {
  it.each(vectors.twilio_request_validator.map((vector) => [vector.id, vector] as const))('reproduces and accepts %s', (_, vector) => {
    expect(twilioSignature(vector.authToken, vector.url, vector.body === undefined ? vector.params : {})).toBe(vector.expectedSignature);
    for (const url of [vector.url, vector.url_as_received].filter((url): url is string => url !== undefined)) {
      const request = { authToken: vector.authToken, signature: vector.expectedSignature, url };
      const accepted = vector.body === undefined ? validateTwilioRequest({ ...request, params: vector.params ?? {} }) : validateTwilioRequest({ ...request, jsonBody: vector.body });
      expect(accepted).toBe(true);
    }
  });

  it('refuses a signature made with another auth token, and a changed body', () => {
    const [vector] = vectors.twilio_request_validator;
    expect(validateTwilioRequest({ authToken: '54321', signature: vector!.expectedSignature, url: vector!.url, params: vector!.params ?? {} })).toBe(false);
    expect(validateTwilioRequest({ authToken: '12345', signature: vector!.expectedSignature, url: vector!.url, params: { ...vector!.params, To: '+18005550000' } })).toBe(false);
    const json = vectors.twilio_request_validator.find((item) => item.id === 'twilio-json-body')!;
    expect(validateTwilioRequest({ authToken: '12345', signature: json.expectedSignature, url: json.url, jsonBody: '{"property": "other"}' })).toBe(false);
  });
});
