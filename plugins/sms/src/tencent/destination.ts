import { z } from 'zod';
import {
  AuthError,
  ConfigError,
  RateLimitedError,
  TransientError,
  ValidationError,
  classifyHttpResponse,
  defineAction,
  defineDestination,
  fail,
  ok,
  retry,
  secret,
  type DeliveryResult,
  type PluginContext,
} from '@weft/plugin-sdk';
import { readJson, vendorFetch } from '@weft/plugin-sdk';
import { THROTTLE_RETRY_MS } from '../http.js';
import { recipientOf, regionField, sendActionBase, templateValues, type SmsItem } from '../message.js';
import { signTc3 } from './signature.js';

export const tencentConfigSchema = z.object({
  secretId: z.string().min(1).describe('SecretId of a CAM key allowed to call sms (QcloudSMSFullAccess)'),
  secretKey: secret('SecretKey of that CAM key'),
  sdkAppId: z.string().regex(/^\d+$/, 'must be the numeric SDK AppID of the SMS application').describe('SmsSdkAppId of the SMS application (console → Application management)'),
  signName: z.string().min(1).describe('Approved signature content (required for mainland China numbers)'),
  templateId: z.string().regex(/^\d+$/, 'must be the numeric template ID').describe('Approved template ID'),
  templateParams: z
    .array(z.string())
    .default([])
    .describe('Names of the values (traits or properties) that fill the template variables {1}, {2}, … in order'),
  defaultRegion: regionField('CN'),
  region: z.string().default('ap-guangzhou').describe('X-TC-Region: ap-guangzhou, ap-beijing or ap-nanjing'),
  endpoint: z.url().default('https://sms.tencentcloudapi.com').describe('SMS API endpoint'),
});

export type TencentConfig = z.output<typeof tencentConfigSchema>;
type Context = PluginContext<TencentConfig>;

/** Tencent takes at most 200 numbers in one SendSms. */
export const TENCENT_MAX_NUMBERS = 200;

interface SendStatus {
  PhoneNumber: string;
  Code: string;
  Message?: string;
  SerialNo?: string;
}

interface TencentAnswer {
  Response?: {
    Error?: { Code: string; Message?: string };
    RequestId?: string;
    SendStatusSet?: SendStatus[];
    DescribeTemplateStatusSet?: Array<{ TemplateId: number; StatusCode: number; ReviewReply?: string }>;
  };
}

/** Signs and POSTs one API 3.0 call; returns `Response` when it has no `Error`, else throws the SDK error that fits. */
export async function callTencent(ctx: Context, action: string, body: Record<string, unknown>, now: number = Date.now()): Promise<NonNullable<TencentAnswer['Response']>> {
  const url = new URL('/', ctx.config.endpoint);
  const payload = JSON.stringify(body);
  const contentType = 'application/json; charset=utf-8';
  const timestamp = Math.floor(now / 1000);
  const { authorization } = signTc3({ secretId: ctx.config.secretId, secretKey: ctx.config.secretKey, host: url.host, service: 'sms', timestamp, contentType, payload });
  const response = await vendorFetch(ctx, 'Tencent Cloud SMS', url, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': contentType,
      'x-tc-action': action,
      'x-tc-timestamp': String(timestamp),
      'x-tc-version': '2021-01-11',
      'x-tc-region': ctx.config.region,
    },
    body: payload,
  });
  const answer = (await readJson(response.clone())) as TencentAnswer | undefined;
  if (!answer?.Response) {
    const error = await classifyHttpResponse(response, 'Tencent Cloud SMS');
    if (error) throw error;
    throw new TransientError(`Tencent Cloud SMS answered ${action} with ${response.status} but no Response`);
  }
  if (answer.Response.Error) throw tencentError(action, answer.Response.Error);
  return answer.Response;
}

function tencentError(action: string, error: { Code: string; Message?: string }): Error {
  const message = `Tencent Cloud SMS refused ${action}: ${error.Code} (${error.Message ?? 'no message'})`;
  const family = error.Code.split('.')[0]!;
  if (family === 'AuthFailure' || error.Code === 'UnauthorizedOperation.SmsSdkAppIdVerifyFail') return new AuthError(`${message}; check secretId, secretKey and sdkAppId`);
  if (family === 'LimitExceeded' || family === 'RequestLimitExceeded') return new RateLimitedError(message, { retryAfterMs: THROTTLE_RETRY_MS });
  if (family === 'InternalError' || error.Code === 'FailedOperation.InsufficientBalanceInSmsPackage' || family === 'UnauthorizedOperation') {
    return family === 'InternalError' ? new TransientError(message) : new ConfigError(message);
  }
  if (error.Code.includes('Unapproved') || error.Code.startsWith('FailedOperation.Missing')) return new ConfigError(`${message}; check signName and templateId`);
  return new ValidationError(message);
}

/** One number's status as a result: `Ok` sent, `LimitExceeded.*` later, anything else fails that number only. */
function statusResult(status: SendStatus): DeliveryResult {
  if (status.Code === 'Ok') return ok({ serialNo: status.SerialNo });
  const reason = `Tencent Cloud SMS refused ${status.PhoneNumber}: ${status.Code} (${status.Message ?? 'no message'})`;
  return status.Code.startsWith('LimitExceeded') ? retry(reason, THROTTLE_RETRY_MS) : fail(reason);
}

/**
 * One SendSms per distinct set of template values (SendSms takes one TemplateParamSet for all its
 * numbers), at most 200 numbers each; each number's result comes from `SendStatusSet`.
 */
async function sendBatch(items: SmsItem[], ctx: Context): Promise<DeliveryResult[]> {
  const results: Array<DeliveryResult | undefined> = items.map(() => undefined);
  const groups = new Map<string, Array<{ index: number; e164: string }>>();
  items.forEach((item, index) => {
    const recipient = recipientOf(item, ctx.config.defaultRegion);
    // Tencent's variables are positional ({1}, {2}, …): name them by position.
    const values = templateValues(Object.fromEntries(ctx.config.templateParams.map((name, position) => [String(position + 1), name])), item.payload.params);
    if ('result' in recipient) results[index] = recipient.result;
    else if ('result' in values) results[index] = values.result;
    else {
      const key = JSON.stringify(Object.values(values.values));
      groups.set(key, [...(groups.get(key) ?? []), { index, e164: recipient.e164 }]);
    }
  });
  for (const [key, group] of groups) {
    for (let start = 0; start < group.length; start += TENCENT_MAX_NUMBERS) {
      const chunk = group.slice(start, start + TENCENT_MAX_NUMBERS);
      const outcomes = await sendChunk(chunk, JSON.parse(key) as string[], chunk.length === 1 ? items[chunk[0]!.index]!.messageId : undefined, ctx);
      chunk.forEach((entry, position) => (results[entry.index] = outcomes[position]));
    }
  }
  return results.map((result) => result!);
}

async function sendChunk(chunk: Array<{ e164: string }>, templateParamSet: string[], sessionContext: string | undefined, ctx: Context): Promise<DeliveryResult[]> {
  let answer;
  try {
    answer = await callTencent(ctx, 'SendSms', {
      PhoneNumberSet: chunk.map((entry) => entry.e164),
      SmsSdkAppId: ctx.config.sdkAppId,
      SignName: ctx.config.signName,
      TemplateId: ctx.config.templateId,
      TemplateParamSet: templateParamSet,
      ...(sessionContext ? { SessionContext: sessionContext } : {}),
    });
  } catch (error) {
    // A refusal of the request's parameters (one bad number sent alone, say) fails this chunk, not the connector.
    if (error instanceof ValidationError) return chunk.map(() => fail(error.message));
    throw error;
  }
  // Match statuses by number (a number listed twice gets its statuses in order).
  const statuses = new Map<string, SendStatus[]>();
  for (const status of answer.SendStatusSet ?? []) statuses.set(status.PhoneNumber, [...(statuses.get(status.PhoneNumber) ?? []), status]);
  return chunk.map((entry) => {
    const status = statuses.get(entry.e164)?.shift();
    return status ? statusResult(status) : retry(`Tencent Cloud SMS returned no status for ${entry.e164} (request ${answer.RequestId ?? 'unknown'})`);
  });
}

/** DescribeSmsTemplateList: proves the credentials and that the template is approved. */
async function checkTencent(ctx: Context): Promise<void> {
  const answer = await callTencent(ctx, 'DescribeSmsTemplateList', { TemplateIdSet: [Number(ctx.config.templateId)], International: ctx.config.defaultRegion === 'CN' ? 0 : 1 });
  const template = answer.DescribeTemplateStatusSet?.[0];
  if (!template) throw new ConfigError(`Tencent Cloud SMS has no template ${ctx.config.templateId} in this account`);
  if (template.StatusCode !== 0) {
    const status = template.StatusCode === 1 ? 'still under review' : `rejected${template.ReviewReply ? ` (${template.ReviewReply})` : ''}`;
    throw new ConfigError(`Tencent Cloud SMS template ${ctx.config.templateId} is ${status}; it must be approved before messages can be sent`);
  }
}

/**
 * Sends templated SMS through Tencent Cloud SMS (SendSms 2021-01-11, TC3-HMAC-SHA256).
 *
 * @example
 * // connector config
 * { "secretId": "AKID…", "secretKey": "…", "sdkAppId": "1400006666", "signName": "腾讯云", "templateId": "1110", "templateParams": ["otp", "minutes"] }
 */
export const tencentDestination = defineDestination({
  title: 'Tencent Cloud SMS',
  description: 'Sends templated SMS with Tencent Cloud SendSms (up to 200 numbers per call, one result per number)',
  config: tencentConfigSchema,
  check: checkTencent,
  actions: {
    sendSms: defineAction(tencentConfigSchema, {
      title: 'Send SMS',
      description: "Sends the connector's template to the event's phone, with the template variables read from its traits and properties",
      ...sendActionBase,
      batch: { maxItems: TENCENT_MAX_NUMBERS },
      performBatch: (items, ctx) => sendBatch(items, ctx),
    }),
  },
});
