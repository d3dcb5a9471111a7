import { z } from 'zod';
import { AuthError, ValidationError, defineSource, secret } from '@weft/plugin-sdk';
import { regionField } from '../message.js';
import { SMS_EVENTS, receiptEvent } from '../receipts.js';
import { validateTwilioRequest, type TwilioParams } from './signature.js';

export const twilioReceiptsConfigSchema = z.object({
  authToken: secret('Auth token of the Twilio account: Twilio signs its webhooks with it'),
  publicUrl: z
    .url()
    .optional()
    .describe("Weft's public base URL as Twilio calls it (e.g. https://weft.example.com); needed behind a proxy that rewrites the host, since the signature covers the URL"),
  defaultRegion: regionField('US'),
});

type Config = z.output<typeof twilioReceiptsConfigSchema>;

const delivered = new Set(['delivered', 'read']);
const failed = new Set(['failed', 'undelivered']);

/** The URL Twilio signed: the configured public origin (or the forwarded one) with the request's path and query. */
function signedUrl(request: Request, config: Config): string {
  const received = new URL(request.url);
  const path = `${received.pathname}${received.search}`;
  if (config.publicUrl) return `${config.publicUrl.replace(/\/$/, '')}${path}`;
  const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  return `${proto ? `${proto}:` : received.protocol}//${host ?? received.host}${path}`;
}

function formParams(body: string): TwilioParams {
  const params: TwilioParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const existing = params[name];
    params[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return params;
}

const text = (params: TwilioParams, name: string) => {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Twilio message status callbacks and incoming messages, checked with `X-Twilio-Signature`.
 * `delivered`/`read` become `SMS Delivered`, `failed`/`undelivered` `SMS Failed`, other statuses
 * `SMS Sent`; an incoming message becomes `SMS Reply Received` and is answered with empty TwiML.
 */
export const twilioReceipts = defineSource({
  title: 'Twilio SMS status callbacks and replies',
  description: 'Receives Twilio message status callbacks and incoming messages (X-Twilio-Signature verified)',
  config: twilioReceiptsConfigSchema,
  async handle(request, ctx) {
    const body = await request.text();
    const params = formParams(body);
    const signature = request.headers.get('x-twilio-signature');
    if (!validateTwilioRequest({ authToken: ctx.config.authToken, signature, url: signedUrl(request, ctx.config), params })) {
      throw new AuthError(signature ? 'Twilio webhook refused: X-Twilio-Signature does not match (check authToken, and publicUrl when behind a proxy)' : 'Twilio webhook refused: no X-Twilio-Signature header');
    }
    const messageSid = text(params, 'MessageSid') ?? text(params, 'SmsSid');
    const status = text(params, 'MessageStatus') ?? text(params, 'SmsStatus');
    if (!messageSid || !status) throw new ValidationError('Twilio webhook has no MessageSid or MessageStatus: is it a messaging webhook?');
    if (status === 'received') {
      const from = text(params, 'From');
      if (!from) throw new ValidationError('Twilio incoming message has no From');
      const event = receiptEvent({
        vendor: 'twilio',
        event: SMS_EVENTS.reply,
        phone: from,
        defaultRegion: ctx.config.defaultRegion,
        messageId: `${messageSid}-received`,
        properties: { body: text(params, 'Body') ?? '', messageSid, to: text(params, 'To') },
      });
      return { events: [event], response: new Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', { headers: { 'content-type': 'text/xml' } }) };
    }
    const to = text(params, 'To');
    if (!to) throw new ValidationError('Twilio status callback has no To');
    const errorCode = text(params, 'ErrorCode');
    const event = receiptEvent({
      vendor: 'twilio',
      event: delivered.has(status) ? SMS_EVENTS.delivered : failed.has(status) ? SMS_EVENTS.failed : SMS_EVENTS.sent,
      phone: to,
      defaultRegion: ctx.config.defaultRegion,
      messageId: `${messageSid}-${status}`,
      properties: { messageSid, status, ...(errorCode ? { errorCode } : {}) },
    });
    return { events: [event], response: new Response(null, { status: 204 }) };
  },
});
