import { z } from 'zod';
import {
  AuthError,
  ConfigError,
  RateLimitedError,
  classifyHttpResponse,
  defineAction,
  defineDestination,
  fail,
  ok,
  parseRetryAfter,
  secret,
  type DeliveryResult,
  type PluginContext,
} from '@weft/plugin-sdk';
import { readJson, vendorFetch } from '@weft/plugin-sdk';
import { recipientOf, regionField, renderBody, sendActionBase, type SmsItem } from '../message.js';

export const twilioConfigSchema = z
  .object({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be the Account SID (AC followed by 32 hex digits)').describe('Account SID, from the Twilio console'),
    authToken: secret('Auth token of the account (also the key Twilio signs its webhooks with)'),
    from: z.string().min(1).optional().describe('Sender: a Twilio number in E.164 or an alphanumeric sender id'),
    messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID (MG…)').optional().describe('Send through a Messaging Service instead of one number'),
    body: z.string().min(1).describe('Message text; {{name}} is replaced by that trait or property, e.g. "Hi {{firstName}}, your code is {{otp}}"'),
    statusCallback: z.url().optional().describe("Where Twilio posts delivery status: this plugin's twilio-receipts source URL"),
    defaultRegion: regionField('US'),
    endpoint: z.url().default('https://api.twilio.com').describe('Twilio REST API base URL'),
  })
  .refine((config) => config.from !== undefined || config.messagingServiceSid !== undefined, { message: 'set from or messagingServiceSid', path: ['from'] });

export type TwilioConfig = z.output<typeof twilioConfigSchema>;
type Context = PluginContext<TwilioConfig>;

interface TwilioAnswer {
  sid?: string;
  status?: string | number;
  code?: number;
  message?: string;
}

/** Error codes that concern the recipient, not the account: that message fails, the others go on. */
const recipientCodes = new Set([21211, 21614, 21610, 21408, 21612, 21617, 30006]);

function authorization(config: TwilioConfig): string {
  return `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
}

/** Turns a Twilio error answer into the SDK error, or the item's failure when it concerns the recipient. */
async function twilioOutcome(response: Response, what: string): Promise<DeliveryResult | undefined> {
  if (response.ok) return undefined;
  const answer = (await readJson(response.clone())) as TwilioAnswer | undefined;
  const detail = answer?.code ? `error ${answer.code} (${answer.message ?? 'no message'})` : `${response.status}`;
  if (answer?.code === 20003 || response.status === 401) throw new AuthError(`Twilio refused ${what}: ${detail}; check accountSid and authToken`, { status: response.status });
  if (answer?.code === 20429 || response.status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after')) ?? 1000;
    throw new RateLimitedError(`Twilio rate-limited ${what}: ${detail}`, { status: response.status, retryAfterMs });
  }
  if (answer?.code !== undefined && recipientCodes.has(answer.code)) return fail(`Twilio refused ${what}: ${detail}`);
  const error = await classifyHttpResponse(response, 'Twilio');
  if (error) throw error;
  return undefined;
}

async function sendMessage(item: SmsItem, ctx: Context): Promise<DeliveryResult> {
  const recipient = recipientOf(item, ctx.config.defaultRegion);
  if ('result' in recipient) return recipient.result;
  const text = renderBody(ctx.config.body, item.payload.params);
  if ('result' in text) return text.result;
  const form = new URLSearchParams({ To: recipient.e164, Body: text.body });
  if (ctx.config.messagingServiceSid) form.set('MessagingServiceSid', ctx.config.messagingServiceSid);
  else form.set('From', ctx.config.from!);
  if (ctx.config.statusCallback) form.set('StatusCallback', ctx.config.statusCallback);
  const url = new URL(`/2010-04-01/Accounts/${ctx.config.accountSid}/Messages.json`, ctx.config.endpoint);
  const response = await vendorFetch(ctx, 'Twilio', url, {
    method: 'POST',
    headers: { authorization: authorization(ctx.config), 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const refused = await twilioOutcome(response, `the message to ${recipient.e164}`);
  if (refused) return refused;
  const answer = (await readJson(response)) as TwilioAnswer | undefined;
  return ok({ sid: answer?.sid, status: answer?.status });
}

/** GET the account: proves the SID and token, and that the account is not suspended or closed. */
async function checkTwilio(ctx: Context): Promise<void> {
  const url = new URL(`/2010-04-01/Accounts/${ctx.config.accountSid}.json`, ctx.config.endpoint);
  const response = await vendorFetch(ctx, 'Twilio', url, { headers: { authorization: authorization(ctx.config) } });
  const refused = await twilioOutcome(response, 'the account lookup');
  if (refused?.status === 'fail') throw new ConfigError(refused.reason);
  const answer = (await readJson(response)) as TwilioAnswer | undefined;
  if (answer?.status !== undefined && answer.status !== 'active') throw new AuthError(`Twilio account ${ctx.config.accountSid} is ${String(answer.status)}, not active`);
}

/**
 * Sends SMS through the Twilio Messages API (form-encoded POST, HTTP Basic auth).
 *
 * @example
 * // connector config
 * { "accountSid": "AC…", "authToken": "…", "from": "+15005550006", "body": "Hi {{firstName}}, your order shipped" }
 */
export const twilioDestination = defineDestination({
  title: 'Twilio SMS',
  description: 'Sends SMS with the Twilio Messages API, one message per event',
  config: twilioConfigSchema,
  check: checkTwilio,
  actions: {
    sendSms: defineAction(twilioConfigSchema, {
      title: 'Send SMS',
      description: "Sends the connector's body, with {{placeholders}} filled from the event's traits and properties, to the event's phone",
      ...sendActionBase,
      perform: (item, ctx) => sendMessage(item, ctx),
    }),
  },
});
