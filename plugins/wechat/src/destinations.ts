import { z } from 'zod';
import { AuthError, ConfigError, RateLimitedError, TransientError, ValidationError, defineAction, defineDestination, ok, type PluginContext, type WeftEvent } from '@weft/plugin-sdk';
import { apiConfigSchema, callWithToken, checkCredentials, msUntilQuotaReset, type ApiConfig, type WeChatAnswer } from './api.js';

const externalId = z.looseObject({ type: z.string(), id: z.string(), scope: z.string().optional() });

/** Who receives the message: an explicit openid, or the event's identifiers (the openid scoped to this app is used). */
const recipient = {
  openid: z.string().min(1).optional().describe('openid of the recipient; default: the wechat_openid of this appId in externalIds'),
  externalIds: z.array(externalId).optional().describe("The event's context.externalIds"),
};

/** Template data as flat key → value; each value is sent as `{ "value": "…" }`. */
const templateData = z
  .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]))
  .describe('Template fields, e.g. { "thing1": "Coffee", "amount2": "39.80" }');

const subscribePayload = z.object({
  ...recipient,
  templateId: z.string().min(1).describe('Template id from the mini-program console (Subscribe Messages)'),
  page: z.string().min(1).optional().describe('Mini-program page opened from the message, e.g. pages/order?id=1'),
  miniprogramState: z.enum(['developer', 'trial', 'formal']).optional().describe('Which version opens: developer, trial or formal (default formal)'),
  lang: z.enum(['zh_CN', 'en_US', 'zh_HK', 'zh_TW']).optional(),
  data: templateData,
});

const templatePayload = z.object({
  ...recipient,
  templateId: z.string().min(1).describe('Template id from the Official Account console (Template Messages)'),
  url: z.url().optional().describe('Web page opened from the message'),
  miniprogram: z.object({ appid: z.string().min(1), pagepath: z.string().optional() }).optional().describe('Mini-program opened from the message instead of url'),
  data: templateData,
});

type Recipient = { openid?: string | undefined; externalIds?: Array<{ type: string; id: string; scope?: string | undefined }> | undefined };

/** Default mapping shared by both actions: recipient from the event, template and fields from its properties. */
function mapTemplateMessage(event: WeftEvent) {
  const properties = event.properties ?? {};
  return {
    externalIds: event.context?.externalIds,
    templateId: properties['templateId'],
    page: properties['page'],
    url: properties['url'],
    data: properties['templateData'] ?? {},
  };
}

/** The recipient's openid for this connector's app, or a ValidationError that says what is missing. */
export function recipientOpenid(payload: Recipient, appId: string): string {
  if (payload.openid) return payload.openid;
  const match = payload.externalIds?.find((id) => id.type === 'wechat_openid' && id.scope === appId);
  if (match) return match.id;
  throw new ValidationError(`the event has no wechat_openid for appId '${appId}' (set "openid" in the mapping, or send events carrying context.externalIds)`);
}

const wrapData = (data: Record<string, string | number | boolean>) => Object.fromEntries(Object.entries(data).map(([key, value]) => [key, { value: String(value) }]));

/** Codes that concern one recipient or one message: that item fails, the others go on. */
const itemErrors: Record<number, string> = {
  40003: 'the openid is not a user of this app',
  40037: 'the template id is unknown',
  41030: 'the page path is not in the mini-program',
  43004: 'the recipient does not follow the Official Account',
  43101: 'the recipient has not subscribed to this template (or used up the subscription)',
  47001: 'the message is malformed',
  47003: 'the template data is invalid',
  50002: 'the recipient is restricted by WeChat',
};

/** Turns WeChat's answer to a send into a result, or the error the host acts on. */
export function sendOutcome(answer: WeChatAnswer, appId: string) {
  const errcode = answer.errcode ?? 0;
  const detail = `${errcode} ${answer.errmsg ?? ''}`.trim();
  if (errcode === 0) return ok(answer.msgid === undefined ? undefined : { msgid: answer.msgid });
  const itemError = itemErrors[errcode];
  if (itemError) throw new ValidationError(`WeChat refused the message: ${itemError} (${detail})`);
  if (errcode === 45009) throw new RateLimitedError(`WeChat's daily quota for appId '${appId}' is used up (${detail}); retrying after it resets at midnight Beijing time`, { retryAfterMs: msUntilQuotaReset() });
  if (errcode === 45011 || errcode === 45047) throw new RateLimitedError(`WeChat asked to slow down (${detail})`, { retryAfterMs: 60_000 });
  if (errcode === -1) throw new TransientError(`WeChat is busy (${detail})`);
  if (errcode === 48001) throw new ConfigError(`appId '${appId}' is not allowed to use this WeChat API (${detail}); check the app's permissions in the console`);
  if (errcode === 40013 || errcode === 40125) throw new AuthError(`WeChat refused the credentials of appId '${appId}' (${detail})`);
  throw new ValidationError(`WeChat refused the message (${detail})`);
}

const sendAction = <Payload extends z.ZodType<Recipient & { data: Record<string, string | number | boolean> }>>(options: {
  description: string;
  payload: Payload;
  path: string;
  body: (payload: z.output<Payload>, openid: string, idempotencyKey: string) => Record<string, unknown>;
}) =>
  defineAction(apiConfigSchema, {
    title: 'Send',
    description: options.description,
    types: ['track', 'identify'],
    payload: options.payload,
    defaultMapping: mapTemplateMessage,
    async perform(item, ctx: PluginContext<ApiConfig>) {
      const openid = recipientOpenid(item.payload, ctx.config.appId);
      const answer = await callWithToken(ctx, options.path, options.body(item.payload, openid, item.idempotencyKey));
      return sendOutcome(answer, ctx.config.appId);
    },
  });

const omitUndefined = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));

/** Mini-program subscribe messages (`subscribeMessage.send`): one message per openid that accepted the template. */
export const subscribeMessage = defineDestination({
  title: 'WeChat mini-program subscribe message',
  description: 'Sends mini-program subscribe messages (subscribeMessage.send) to the openids of a mini-program',
  config: apiConfigSchema,
  check: checkCredentials,
  actions: {
    send: sendAction({
      description: 'Sends one subscribe message to the recipient, with template fields from the mapping',
      payload: subscribePayload,
      path: '/cgi-bin/message/subscribe/send',
      body: (payload, openid) =>
        omitUndefined({ touser: openid, template_id: payload.templateId, page: payload.page, miniprogram_state: payload.miniprogramState, lang: payload.lang, data: wrapData(payload.data) }),
    }),
  },
});

/** Official Account template messages (`message/template/send`) to followers. */
export const templateMessage = defineDestination({
  title: 'WeChat Official Account template message',
  description: 'Sends Official Account template messages to followers (message/template/send)',
  config: apiConfigSchema,
  check: checkCredentials,
  actions: {
    send: sendAction({
      description: 'Sends one template message to the follower, with template fields from the mapping',
      payload: templatePayload,
      path: '/cgi-bin/message/template/send',
      // client_msg_id makes WeChat drop a second send of the same delivery.
      body: (payload, openid, idempotencyKey) =>
        omitUndefined({ touser: openid, template_id: payload.templateId, url: payload.url, miniprogram: payload.miniprogram, client_msg_id: idempotencyKey, data: wrapData(payload.data) }),
    }),
  },
});
