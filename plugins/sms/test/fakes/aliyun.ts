// Aliyun Dysms as its public docs describe it: signed RPC calls (Signature V1), its parameter and
// phone-format rules, batch limits, and its answers (`{Code, Message, RequestId, …}`).
import { randomUUID } from 'node:crypto';
import type { FakeHandler, FakeRequest, FakeResponse } from '@weft/plugin-sdk/testing';
import { signAliyunRequest } from '../../src/aliyun/signature.js';

export interface AliyunFakeOptions {
  /** AccessKey id → secret. */
  accounts?: Record<string, string>;
  signNames?: string[];
  /** Template code → its variables, and its review status (1 approved; 0 under review; 2 rejected). */
  templates?: Record<string, { variables: string[]; status?: number }>;
  /** Numbers Dysms refuses as illegal (unassigned, say), as written in the request. */
  illegalNumbers?: string[];
}

export interface SentSms {
  action: string;
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
}

export interface AliyunFake {
  handler: FakeHandler;
  /** Every message accepted, in order. */
  sent: SentSms[];
  /** Every call's parameters as received (signature checked or not). */
  calls: Array<Record<string, string>>;
  /** The next `count` SendSms/SendBatchSms calls are answered with `code` (isv.BUSINESS_LIMIT_CONTROL, Throttling.User). */
  throttleNext(count: number, code?: string): void;
}

const COMMON = ['AccessKeyId', 'Action', 'Format', 'RegionId', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version', 'Signature'];
const MAINLAND = /^1[3-9]\d{9}$/;
const INTERNATIONAL = /^(?!86)[1-9]\d{6,14}$/;

export function aliyunFake(options: AliyunFakeOptions = {}): AliyunFake {
  const accounts = options.accounts ?? { testId: 'testSecret' };
  const signNames = new Set(options.signNames ?? ['Weft']);
  const templates = options.templates ?? { SMS_100001: { variables: ['code'] } };
  const illegal = new Set(options.illegalNumbers ?? []);
  const nonces = new Set<string>();
  const sent: SentSms[] = [];
  const calls: Array<Record<string, string>> = [];
  let throttled = { count: 0, code: 'isv.BUSINESS_LIMIT_CONTROL' };

  const answer = (code: string, message: string, status = 200, extra: Record<string, unknown> = {}): FakeResponse => ({
    status,
    json: { RequestId: randomUUID().toUpperCase(), Code: code, Message: message, ...(code === 'OK' ? {} : { HostId: 'dysmsapi.aliyuncs.com' }), ...extra },
  });

  function authenticate(request: FakeRequest, params: Record<string, string>): FakeResponse | undefined {
    const missing = COMMON.filter((name) => !params[name]);
    if (missing.length > 0) return answer('MissingParameter', `The input parameter "${missing[0]}" that is mandatory for processing this request is not supplied.`, 400);
    if (params['SignatureMethod'] !== 'HMAC-SHA1' || params['SignatureVersion'] !== '1.0') return answer('InvalidParameter', 'Unsupported signature method or version.', 400);
    const secret = accounts[params['AccessKeyId']!];
    if (secret === undefined) return answer('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
    const { Signature: signature, ...signed } = params;
    if (signAliyunRequest(request.method, signed, secret) !== signature) {
      return answer('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.', 400);
    }
    if (Math.abs(Date.parse(params['Timestamp']!) - Date.now()) > 15 * 60_000 || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params['Timestamp']!)) {
      return answer('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', 400);
    }
    if (nonces.has(params['SignatureNonce']!)) return answer('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
    nonces.add(params['SignatureNonce']!);
    if (params['Version'] !== '2017-05-25' || params['Format'] !== 'JSON') return answer('InvalidVersion', 'Specified parameter Version is not valid.', 400);
    return undefined;
  }

  /** Checks one message; returns the refusal, or records nothing and says it is fine. */
  function refuse(phone: string, signName: string | undefined, templateCode: string | undefined, paramJson: unknown): FakeResponse | undefined {
    if (!signName || !signNames.has(signName)) return answer('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const template = templateCode ? templates[templateCode] : undefined;
    if (!template || (template.status ?? 1) !== 1) return answer('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    if (!(MAINLAND.test(phone) || INTERNATIONAL.test(phone)) || illegal.has(phone)) return answer('isv.MOBILE_NUMBER_ILLEGAL', `非法手机号: ${phone}`);
    const params = (paramJson ?? {}) as Record<string, unknown>;
    if (template.variables.some((name) => typeof params[name] !== 'string')) return answer('isv.TEMPLATE_MISSING_PARAMETERS', '模板缺少变量');
    return undefined;
  }

  function parseJson(text: string | undefined): unknown {
    try {
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return undefined;
    }
  }

  const handler: FakeHandler = (request) => {
    if (request.path !== '/') return { status: 404, json: { Code: 'InvalidAction.NotFound', Message: 'Specified api is not found.' } };
    const source = request.method === 'POST' ? request.body : new URLSearchParams(request.query).toString();
    const params = Object.fromEntries(new URLSearchParams(source));
    calls.push(params);
    const refused = authenticate(request, params);
    if (refused) return refused;
    const action = params['Action'];
    if ((action === 'SendSms' || action === 'SendBatchSms') && throttled.count > 0) {
      throttled.count--;
      return answer(throttled.code, throttled.code === 'Throttling.User' ? 'Request was denied due to user flow control.' : '触发号码天级流控Permits:10');
    }
    if (action === 'QuerySmsTemplate') {
      const template = templates[params['TemplateCode'] ?? ''];
      if (!template) return answer('isv.SMS_TEMPLATE_ILLEGAL', '模板不存在');
      return answer('OK', 'OK', 200, { TemplateCode: params['TemplateCode'], TemplateStatus: template.status ?? 1, TemplateType: 0 });
    }
    if (action === 'SendSms') {
      if (!params['PhoneNumbers'] || !params['SignName'] || !params['TemplateCode']) return answer('MissingParameter', 'PhoneNumbers, SignName and TemplateCode are required.', 400);
      const phones = params['PhoneNumbers'].split(',');
      if (phones.length > 1000) return answer('isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
      const templateParams = parseJson(params['TemplateParam']);
      if (params['TemplateParam'] !== undefined && templateParams === undefined) return answer('isv.INVALID_JSON_PARAM', 'JSON参数不合法');
      for (const phone of phones) {
        const refusal = refuse(phone, params['SignName'], params['TemplateCode'], templateParams);
        if (refusal) return refusal;
      }
      for (const phone of phones) sent.push({ action, phone, signName: params['SignName'], templateCode: params['TemplateCode'], params: (templateParams ?? {}) as Record<string, string> });
      return answer('OK', 'OK', 200, { BizId: `${Date.now()}^0` });
    }
    if (action === 'SendBatchSms') {
      const phones = parseJson(params['PhoneNumberJson']);
      const signs = parseJson(params['SignNameJson']);
      const values = params['TemplateParamJson'] === undefined ? undefined : parseJson(params['TemplateParamJson']);
      if (!Array.isArray(phones) || !Array.isArray(signs) || !params['TemplateCode']) return answer('MissingParameter', 'PhoneNumberJson, SignNameJson and TemplateCode are required.', 400);
      if (phones.length > 100) return answer('isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
      if (signs.length !== phones.length || (values !== undefined && (!Array.isArray(values) || values.length !== phones.length))) {
        return answer('isv.INVALID_PARAMETERS', 'PhoneNumberJson, SignNameJson and TemplateParamJson must be arrays of the same length');
      }
      for (const [index, phone] of phones.entries()) {
        const refusal = refuse(String(phone), String(signs[index]), params['TemplateCode'], (values as unknown[] | undefined)?.[index]);
        if (refusal) return refusal;
      }
      for (const [index, phone] of phones.entries()) {
        sent.push({ action, phone: String(phone), signName: String(signs[index]), templateCode: params['TemplateCode'], params: ((values as unknown[] | undefined)?.[index] ?? {}) as Record<string, string> });
      }
      return answer('OK', 'OK', 200, { BizId: `${Date.now()}^0` });
    }
    return answer('InvalidAction.NotFound', `Specified api is not found, please check your url and method.`, 404);
  };

  return {
    handler,
    sent,
    calls,
    throttleNext(count, code = 'isv.BUSINESS_LIMIT_CONTROL') {
      throttled = { count, code };
    },
  };
}
