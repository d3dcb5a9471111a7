import { z } from 'zod';
import {
  AuthError,
  classifyHttpResponse,
  vendorFetch,
  defineAction,
  defineDestination,
  fail,
  ok,
  retry,
  secret,
  RateLimitedError,
  type DeliveryItem,
  type DeliveryResult,
  type PluginContext,
} from '@weft/plugin-sdk';
import { messageFromEvent, messagePayloadSchema, type MessagePayload } from './message.js';
import { userAgent } from './version.js';

/** SendGrid's limit of personalizations (and recipients) in one mail send request. */
export const MAX_PERSONALIZATIONS = 1000;

export const sendgridConfigSchema = z.object({
  apiKey: secret('SendGrid API key with the "Mail Send" permission ("SG.…")'),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.sendgrid.com').describe('API base URL; https://api.eu.sendgrid.com for EU regional subusers'),
  from: z.object({ email: z.email(), name: z.string().max(200).optional() }).describe('A verified sender or an address of an authenticated domain'),
  replyTo: z.email().optional().describe('Reply-To address'),
  templateId: z
    .string()
    .regex(/^d-[0-9a-f]{32}$/i, 'must be a dynamic template id ("d-" and 32 hex digits)')
    .describe('Dynamic template filled with each recipient\'s variables ({{traits.firstName}}, {{properties.…}})'),
  asmGroupId: z.number().int().positive().optional().describe('Unsubscribe group the messages belong to (Suppressions → Unsubscribe Groups)'),
  categories: z.array(z.string().min(1).max(255)).max(10).optional().describe('Categories for SendGrid statistics (at most 10)'),
  sandboxMode: z.boolean().default(false).describe('Validate requests without sending anything (mail_settings.sandbox_mode)'),
  timeoutMs: z.number().int().min(100).max(300_000).optional().describe("Per-request timeout; defaults to the connector's timeoutMs setting (30 s)"),
});

export type SendgridConfig = z.output<typeof sendgridConfigSchema>;
type Context = PluginContext<SendgridConfig>;

/**
 * The `POST /v3/mail/send` body for a batch: one personalization per recipient, with its
 * variables as `dynamic_template_data` and Weft's ids as `custom_args` (SendGrid echoes those in
 * its Event Webhook, so the `sendgrid-events` source can tie events back to the user).
 */
export function buildMailSend(items: DeliveryItem<MessagePayload>[], config: SendgridConfig) {
  return {
    from: config.from,
    ...(config.replyTo ? { reply_to: { email: config.replyTo } } : {}),
    template_id: config.templateId,
    personalizations: items.map(({ payload, messageId }) => ({
      to: [payload.name ? { email: payload.to, name: payload.name } : { email: payload.to }],
      dynamic_template_data: payload.variables,
      custom_args: { weft_message_id: messageId, ...(payload.userId ? { weft_user_id: payload.userId } : {}) },
    })),
    ...(config.asmGroupId ? { asm: { group_id: config.asmGroupId } } : {}),
    ...(config.categories?.length ? { categories: config.categories } : {}),
    ...(config.sandboxMode ? { mail_settings: { sandbox_mode: { enable: true } } } : {}),
  };
}

interface SendgridErrorBody {
  errors?: Array<{ message?: string; field?: string | null; help?: string | null }>;
}

async function sendBatch(items: DeliveryItem<MessagePayload>[], ctx: Context): Promise<DeliveryResult[]> {
  const url = new URL('/v3/mail/send', ctx.config.baseUrl);
  const response = await vendorFetch(ctx, 'SendGrid', url, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.config.apiKey}`, 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify(buildMailSend(items, ctx.config)),
    ...(ctx.config.timeoutMs === undefined ? {} : { timeoutMs: ctx.config.timeoutMs }),
  });
  if (response.status === 400) return fieldErrors(items, (await response.json().catch(() => ({}))) as SendgridErrorBody);
  const error = await classifyHttpResponse(response, 'SendGrid');
  if (error instanceof RateLimitedError && error.retryAfterMs === undefined) {
    throw new RateLimitedError(error.message, { status: 429, ...rateLimitReset(response) });
  }
  if (error) throw error;
  await response.arrayBuffer();
  ctx.logger.debug('sendgrid mail send accepted', { personalizations: items.length, status: response.status });
  return items.map(() => ok());
}

/**
 * A 400 refuses the whole request, but SendGrid names the bad fields (`personalizations.3.to.0.email`):
 * those items fail with SendGrid's message and the others, never sent, are retried without them.
 */
function fieldErrors(items: DeliveryItem<MessagePayload>[], body: SendgridErrorBody): DeliveryResult[] {
  const byItem = new Map<number, string[]>();
  const general: string[] = [];
  for (const error of body.errors ?? []) {
    const text = `${error.message ?? 'invalid request'}${error.field ? ` (${error.field})` : ''}`;
    const index = /^personalizations\.(\d+)\b/.exec(error.field ?? '')?.[1];
    if (index !== undefined && Number(index) < items.length) byItem.set(Number(index), [...(byItem.get(Number(index)) ?? []), text]);
    else general.push(text);
  }
  if (general.length > 0 || byItem.size === 0) {
    const reason = `SendGrid answered 400: ${general.length > 0 ? general.join('; ') : JSON.stringify(body).slice(0, 300)}`;
    return items.map(() => fail(reason));
  }
  return items.map((_, index) => {
    const problems = byItem.get(index);
    return problems ? fail(`SendGrid refused this recipient: ${problems.join('; ')}`) : retry('not sent: SendGrid refused another recipient of the same request');
  });
}

/** SendGrid's own rate limit header (the Unix time the window resets), when a 429 carries no Retry-After. */
function rateLimitReset(response: Response): { retryAfterMs?: number } {
  const reset = Number(response.headers.get('x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? { retryAfterMs: Math.max(0, reset * 1000 - Date.now()) } : {};
}

/** Reads the key's scopes: a refused key, or one without `mail.send`, fails in one sentence. */
async function checkApiKey(ctx: Context): Promise<void> {
  const url = new URL('/v3/scopes', ctx.config.baseUrl);
  const response = await vendorFetch(ctx, 'SendGrid', url, { headers: { authorization: `Bearer ${ctx.config.apiKey}`, 'user-agent': userAgent } });
  if (response.status === 401 || response.status === 403) {
    await response.arrayBuffer();
    throw new AuthError(`SendGrid refused the API key (${response.status}): check apiKey`, { status: response.status });
  }
  const error = await classifyHttpResponse(response, 'SendGrid');
  if (error) throw error;
  const { scopes } = (await response.json().catch(() => ({}))) as { scopes?: unknown };
  if (!Array.isArray(scopes) || !scopes.includes('mail.send')) {
    throw new AuthError('The SendGrid API key lacks the "Mail Send" permission: give it Mail Send access (Settings → API Keys)');
  }
}

/**
 * Sends dynamic-template email through SendGrid's v3 mail send API, up to 1000 recipients a request.
 *
 * @example
 * // connector config
 * { "apiKey": "SG.…", "from": { "email": "hello@acme.example", "name": "Acme" }, "templateId": "d-0123456789abcdef0123456789abcdef" }
 */
export const sendgrid = defineDestination({
  title: 'SendGrid',
  description: 'Sends dynamic-template email through the SendGrid v3 mail send API, one personalization per recipient',
  config: sendgridConfigSchema,
  check: checkApiKey,
  actions: {
    send: defineAction(sendgridConfigSchema, {
      title: 'Send email',
      description: "Sends the dynamic template to traits.email with the profile's traits as template data, up to 1000 recipients per request",
      types: ['identify', 'track'],
      payload: messagePayloadSchema,
      defaultMapping: messageFromEvent,
      batch: { maxItems: MAX_PERSONALIZATIONS, maxBytes: 5_000_000 },
      performBatch: sendBatch,
    }),
  },
});
