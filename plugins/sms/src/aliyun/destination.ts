import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  AuthError,
  ConfigError,
  TransientError,
  ValidationError,
  classifyHttpResponse,
  defineAction,
  defineDestination,
  ok,
  retry,
  fail,
  secret,
  type DeliveryResult,
  type PluginContext,
} from '@weft/plugin-sdk';
import { readJson, vendorFetch } from '@weft/plugin-sdk';
import { THROTTLE_RETRY_MS } from '../http.js';
import { aliyunPhoneNumber, recipientOf, regionField, sendActionBase, templateValues, type SmsItem } from '../message.js';
import { signedAliyunQuery } from './signature.js';

export const aliyunConfigSchema = z.object({
  accessKeyId: z.string().min(1).describe('AccessKey ID of a RAM user allowed to call dysmsapi (AliyunDysmsFullAccess)'),
  accessKeySecret: secret('AccessKey secret of that RAM user'),
  signName: z.string().min(1).describe('Approved signature (签名) shown in 【】 at the start of each message'),
  templateCode: z.string().min(1).describe('Approved template code, e.g. SMS_71390007'),
  templateParams: z
    .record(z.string(), z.string())
    .default({})
    .describe('Template variable → name of the value (trait or property) it is filled with, e.g. {"customer": "firstName"}'),
  defaultRegion: regionField('CN'),
  regionId: z.string().default('cn-hangzhou').describe('RegionId parameter of every call'),
  endpoint: z.url().default('https://dysmsapi.aliyuncs.com').describe('Dysms API endpoint'),
});

export type AliyunConfig = z.output<typeof aliyunConfigSchema>;
type Context = PluginContext<AliyunConfig>;

/** What Dysms answers to every action. */
interface DysmsAnswer {
  Code?: string;
  Message?: string;
  RequestId?: string;
  BizId?: string;
  TemplateStatus?: number;
  Reason?: string;
}

/** Codes meaning "this number cannot get this message"; everything else concerns the whole call. */
const recipientCodes = new Set(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.BLACK_KEY_CONTROL_LIMIT', 'isv.PARAM_LENGTH_LIMIT', 'isv.INVALID_PARAMETERS']);
const throttleCodes = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'isv.DAY_LIMIT_CONTROL', 'Throttling.User', 'Throttling', 'Throttling.Api']);
const authCodes = new Set(['InvalidAccessKeyId.NotFound', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'isv.ACCOUNT_NOT_EXISTS', 'isv.ACCOUNT_ABNORMAL', 'Forbidden.RAM', 'InvalidAccessKeyId.Inactive']);
const configCodes = new Set(['isv.SMS_SIGNATURE_ILLEGAL', 'isv.SMS_TEMPLATE_ILLEGAL', 'isv.TEMPLATE_MISSING_PARAMETERS', 'isv.AMOUNT_NOT_ENOUGH', 'isv.OUT_OF_SERVICE', 'isv.SMS_SIGN_ILLEGAL']);

/** The common parameters of a Dysms RPC call (signed along with the action's own). */
export function dysmsParams(action: string, config: Pick<AliyunConfig, 'accessKeyId' | 'regionId'>, now: Date = new Date(), nonce: string = randomUUID()) {
  return {
    AccessKeyId: config.accessKeyId,
    Action: action,
    Format: 'JSON',
    RegionId: config.regionId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: nonce,
    SignatureVersion: '1.0',
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
  };
}

/**
 * Calls one Dysms action with a signed form POST and returns its answer when `Code` is `OK`.
 * Any other code throws the SDK error that says what to do (see `describeCode`).
 */
export async function callDysms(ctx: Context, action: string, params: Record<string, string>): Promise<DysmsAnswer> {
  const url = new URL('/', ctx.config.endpoint);
  const body = signedAliyunQuery('POST', { ...dysmsParams(action, ctx.config), ...params }, ctx.config.accessKeySecret);
  const response = await vendorFetch(ctx, 'Aliyun SMS', url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const answer = (await readJson(response.clone())) as DysmsAnswer | undefined;
  if (typeof answer?.Code !== 'string') {
    const error = await classifyHttpResponse(response, 'Aliyun SMS');
    if (error) throw error;
    throw new TransientError(`Aliyun SMS answered ${action} with ${response.status} but no Code`);
  }
  if (answer.Code !== 'OK') throw dysmsError(action, answer);
  return answer;
}

/** A Dysms error code as the SDK error the host acts on. */
function dysmsError(action: string, answer: DysmsAnswer): Error {
  const code = answer.Code!;
  const message = `Aliyun SMS refused ${action}: ${code} (${answer.Message ?? 'no message'})`;
  if (authCodes.has(code)) return new AuthError(`${message}; check accessKeyId and accessKeySecret`);
  if (configCodes.has(code)) return new ConfigError(`${message}; check signName, templateCode and the account`);
  if (throttleCodes.has(code)) return new DysmsThrottled(message);
  if (recipientCodes.has(code)) return new ValidationError(message);
  if (code.startsWith('isp.') || code === 'ServiceUnavailable' || code === 'InternalError') return new TransientError(message);
  return new ValidationError(message);
}

/** Dysms throttles per number (BUSINESS_LIMIT_CONTROL) and per account (Throttling.User); either way the message may go out later. */
class DysmsThrottled extends TransientError {
  constructor(message: string) {
    super(message, { retryAfterMs: THROTTLE_RETRY_MS });
  }
}

/** The item as a Dysms recipient (national number on the mainland) and template values, or why it cannot be sent. */
function prepare(item: SmsItem, config: AliyunConfig): { phone: string; param: string } | { result: DeliveryResult } {
  const recipient = recipientOf(item, config.defaultRegion);
  if ('result' in recipient) return recipient;
  const values = templateValues(config.templateParams, item.payload.params);
  if ('result' in values) return values;
  return { phone: aliyunPhoneNumber(recipient.e164), param: JSON.stringify(values.values) };
}

async function sendOne(item: SmsItem, message: { phone: string; param: string }, ctx: Context): Promise<DeliveryResult> {
  const params: Record<string, string> = { PhoneNumbers: message.phone, SignName: ctx.config.signName, TemplateCode: ctx.config.templateCode, OutId: item.messageId.slice(0, 64) };
  if (message.param !== '{}') params['TemplateParam'] = message.param;
  try {
    const answer = await callDysms(ctx, 'SendSms', params);
    return ok({ bizId: answer.BizId, requestId: answer.RequestId });
  } catch (error) {
    return perItemOutcome(error);
  }
}

/** Recipient problems and throttling concern this item; anything else concerns the connector and is rethrown. */
function perItemOutcome(error: unknown): DeliveryResult {
  if (error instanceof DysmsThrottled) return retry(error.message, error.retryAfterMs);
  if (error instanceof ValidationError) return fail(error.message);
  throw error;
}

/**
 * Sends a batch with one SendBatchSms call (one template, a number and values per recipient).
 * Dysms answers a batch with one code, so when it refuses a number the items are sent one by one
 * with SendSms to find which: the others still go out, and only the bad number fails.
 */
async function sendBatch(items: SmsItem[], ctx: Context): Promise<DeliveryResult[]> {
  const results: Array<DeliveryResult | undefined> = items.map(() => undefined);
  const sendable: Array<{ index: number; phone: string; param: string }> = [];
  items.forEach((item, index) => {
    const prepared = prepare(item, ctx.config);
    if ('result' in prepared) results[index] = prepared.result;
    else sendable.push({ index, ...prepared });
  });
  if (sendable.length === 1) results[sendable[0]!.index] = await sendOne(items[sendable[0]!.index]!, sendable[0]!, ctx);
  else if (sendable.length > 1) {
    try {
      const answer = await callDysms(ctx, 'SendBatchSms', {
        PhoneNumberJson: JSON.stringify(sendable.map((message) => message.phone)),
        SignNameJson: JSON.stringify(sendable.map(() => ctx.config.signName)),
        TemplateCode: ctx.config.templateCode,
        TemplateParamJson: JSON.stringify(sendable.map((message) => JSON.parse(message.param) as unknown)),
      });
      for (const message of sendable) results[message.index] = ok({ bizId: answer.BizId, requestId: answer.RequestId });
    } catch (error) {
      if (error instanceof DysmsThrottled) for (const message of sendable) results[message.index] = retry(error.message, error.retryAfterMs);
      else if (error instanceof ValidationError) {
        ctx.logger.info('Aliyun SMS refused a number in the batch; sending one by one to find it', { items: sendable.length });
        for (const message of sendable) results[message.index] = await sendOne(items[message.index]!, message, ctx);
      } else throw error;
    }
  }
  return results.map((result) => result!);
}

/** QuerySmsTemplate: proves the credentials and that the template exists and is approved. */
async function checkAliyun(ctx: Context): Promise<void> {
  const answer = await callDysms(ctx, 'QuerySmsTemplate', { TemplateCode: ctx.config.templateCode });
  if (answer.TemplateStatus !== undefined && answer.TemplateStatus !== 1) {
    const status = answer.TemplateStatus === 0 ? 'still under review' : `rejected${answer.Reason ? ` (${answer.Reason})` : ''}`;
    throw new ConfigError(`Aliyun SMS template ${ctx.config.templateCode} is ${status}; it must be approved before messages can be sent`);
  }
}

/**
 * Sends templated SMS through Aliyun Dysms (SendSms / SendBatchSms, Signature V1).
 *
 * @example
 * // connector config
 * { "accessKeyId": "LTAI…", "accessKeySecret": "…", "signName": "阿里云短信测试", "templateCode": "SMS_154950909", "templateParams": { "code": "otp" } }
 */
export const aliyunDestination = defineDestination({
  title: 'Aliyun SMS (Dysms)',
  description: 'Sends templated SMS with Aliyun Dysms SendSms / SendBatchSms (up to 100 numbers per call)',
  config: aliyunConfigSchema,
  check: checkAliyun,
  actions: {
    sendSms: defineAction(aliyunConfigSchema, {
      title: 'Send SMS',
      description: "Sends the connector's template to the event's phone, with the template variables read from its traits and properties",
      ...sendActionBase,
      batch: { maxItems: 100 },
      performBatch: (items, ctx) => sendBatch(items, ctx),
    }),
  },
});
