// Tencent Cloud SMS (API 3.0, SendSms 2021-01-11) as its public docs describe it: TC3-HMAC-SHA256
// signed POSTs, E.164 numbers, at most 200 per call, one SendStatusSet entry per number, and
// errors as `{"Response":{"Error":{Code,Message},RequestId}}` with HTTP 200.
import { randomUUID } from 'node:crypto';
import type { FakeHandler, FakeResponse } from '@weft/plugin-sdk/testing';
import { signTc3 } from '../../src/tencent/signature.js';

export interface TencentFakeOptions {
  /** SecretId → SecretKey. */
  accounts?: Record<string, string>;
  sdkAppId?: string;
  signNames?: string[];
  /** Template id → number of variables, and its status (0 approved, 1 under review, -1 rejected). */
  templates?: Record<string, { variables: number; status?: number }>;
  /** E.164 numbers answered with InvalidParameterValue.IncorrectPhoneNumber in SendStatusSet. */
  incorrectNumbers?: string[];
}

export interface TencentFake {
  handler: FakeHandler;
  sent: Array<{ phone: string; templateId: string; params: string[] }>;
  /** SendSms bodies received with a valid signature. */
  calls: Array<Record<string, unknown>>;
  /** The next `count` SendSms calls: every number answered `LimitExceeded.PhoneNumberThirtySecondLimit`. */
  throttleNext(count: number): void;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const MAINLAND = /^\+861[3-9]\d{9}$/;

export function tencentFake(options: TencentFakeOptions = {}): TencentFake {
  const accounts = options.accounts ?? {};
  const sdkAppId = options.sdkAppId ?? '1400000001';
  const signNames = new Set(options.signNames ?? ['Weft']);
  const templates = options.templates ?? { '100001': { variables: 1 } };
  const incorrect = new Set(options.incorrectNumbers ?? []);
  const sent: TencentFake['sent'] = [];
  const calls: TencentFake['calls'] = [];
  let throttled = 0;

  const respond = (response: Record<string, unknown>): FakeResponse => ({ json: { Response: { ...response, RequestId: randomUUID() } } });
  const error = (code: string, message: string) => respond({ Error: { Code: code, Message: message } });

  const handler: FakeHandler = (request) => {
    if (request.method !== 'POST' || request.path !== '/') return error('UnsupportedProtocol', 'POST / is the only entry point');
    const authorization = request.headers['authorization'] ?? '';
    const match = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d\d-\d\d)\/sms\/tc3_request, SignedHeaders=content-type;host, Signature=([0-9a-f]{64})$/.exec(authorization);
    if (!match) return error('AuthFailure.InvalidAuthorization', 'Authorization header is not TC3-HMAC-SHA256 over content-type;host.');
    const [, secretId, date, signature] = match;
    const secretKey = accounts[secretId!];
    if (secretKey === undefined) return error('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
    const timestamp = Number(request.headers['x-tc-timestamp']);
    if (!Number.isInteger(timestamp) || Math.abs(timestamp * 1000 - Date.now()) > 5 * 60_000) return error('AuthFailure.SignatureExpire', 'Signature expired.');
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return error('AuthFailure.SignatureFailure', 'The credential scope date is not the UTC date of X-TC-Timestamp.');
    const expected = signTc3({ secretId: secretId!, secretKey, host: request.headers['host']!, service: 'sms', timestamp, contentType: request.headers['content-type'] ?? '', payload: request.body });
    if (expected.signature !== signature) return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    if (request.headers['x-tc-version'] !== '2021-01-11') return error('InvalidParameterValue', 'X-TC-Version must be 2021-01-11 for sms.');
    if (!request.headers['x-tc-region']) return error('MissingParameter', 'X-TC-Region is required.');
    const body = (request.json ?? {}) as Record<string, unknown>;
    const action = request.headers['x-tc-action'];

    if (action === 'DescribeSmsTemplateList') {
      const ids = (body['TemplateIdSet'] as number[] | undefined) ?? [];
      return respond({ DescribeTemplateStatusSet: ids.filter((id) => templates[String(id)]).map((id) => ({ TemplateId: id, StatusCode: templates[String(id)]!.status ?? 0, International: body['International'] })) });
    }
    if (action !== 'SendSms') return error('InvalidAction', `The action ${action ?? '(none)'} is not supported.`);
    calls.push(body);
    const phones = body['PhoneNumberSet'];
    if (!Array.isArray(phones) || phones.length === 0) return error('MissingParameter', 'PhoneNumberSet is required.');
    if (phones.length > 200) return error('LimitExceeded.PhoneNumberCountLimit', 'The number of phone numbers in a request exceeds the upper limit of 200.');
    if (body['SmsSdkAppId'] !== sdkAppId) return error('UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'SmsSdkAppId verification failed.');
    const template = templates[String(body['TemplateId'])];
    if (!template || (template.status ?? 0) !== 0) return error('FailedOperation.TemplateIncorrectOrUnapproved', 'The template is not approved or its content does not match.');
    const params = (body['TemplateParamSet'] as string[] | undefined) ?? [];
    if (!Array.isArray(params) || params.length !== template.variables || params.some((value) => typeof value !== 'string')) {
      return error('InvalidParameterValue.TemplateParameterFormatError', `The template takes ${template.variables} string parameter(s).`);
    }
    if (phones.some((phone) => MAINLAND.test(String(phone))) && !signNames.has(String(body['SignName']))) {
      return error('FailedOperation.SignatureIncorrectOrUnapproved', 'The signature is not approved or its content is incorrect.');
    }
    const throttle = throttled > 0;
    if (throttle) throttled--;
    const SendStatusSet = phones.map((raw) => {
      const phone = String(raw);
      const status = { SerialNo: '', PhoneNumber: phone, Fee: 0, SessionContext: body['SessionContext'] ?? '', IsoCode: phone.startsWith('+86') ? 'CN' : 'DEF' };
      if (!E164.test(phone) || incorrect.has(phone) || (phone.startsWith('+86') && !MAINLAND.test(phone))) {
        return { ...status, Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'invalid mobile number' };
      }
      if (throttle) return { ...status, Code: 'LimitExceeded.PhoneNumberThirtySecondLimit', Message: 'the number of SMS messages sent from a single mobile number within 30 seconds exceeds the upper limit' };
      sent.push({ phone, templateId: String(body['TemplateId']), params });
      return { ...status, SerialNo: `2645:${randomUUID()}`, Fee: 1, Code: 'Ok', Message: 'send success' };
    });
    return respond({ SendStatusSet });
  };

  return {
    handler,
    sent,
    calls,
    throttleNext(count) {
      throttled = count;
    },
  };
}
