import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AuthError, ValidationError, defineSource, type EventInput, type PluginContext } from '@weft/plugin-sdk';
import { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER, readVerificationKey, verifyEventWebhookSignature } from './event-webhook-signature.js';

/** SendGrid's event types and the Weft track events they become. */
export const eventNames = {
  processed: 'Email Processed',
  deferred: 'Email Deferred',
  delivered: 'Email Delivered',
  open: 'Email Opened',
  click: 'Email Link Clicked',
  bounce: 'Email Bounced',
  dropped: 'Email Dropped',
  spamreport: 'Email Marked as Spam',
  unsubscribe: 'Email Unsubscribed',
  group_unsubscribe: 'Email Unsubscribed',
  group_resubscribe: 'Email Resubscribed',
} as const;

export type SendgridEventType = keyof typeof eventNames;

const sendgridEventTypes = Object.keys(eventNames) as [SendgridEventType, ...SendgridEventType[]];
const defaultEventTypes: SendgridEventType[] = ['delivered', 'open', 'click', 'bounce', 'dropped', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe'];

export const sendgridEventsConfigSchema = z.object({
  publicKey: z
    .string()
    .min(1)
    .superRefine((key, ctx) => {
      try {
        readVerificationKey(key);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be the verification key SendGrid shows for the Signed Event Webhook (base64 of an ECDSA P-256 public key)' });
      }
    })
    .describe('Verification key of the Signed Event Webhook (base64, as SendGrid shows it); public, not a secret'),
  toleranceSeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_TOLERANCE_SECONDS)
    .describe('How old (or how far in the future) the signed timestamp may be; older requests are rejected as replays'),
  eventTypes: z.array(z.enum(sendgridEventTypes)).min(1).default(defaultEventTypes).describe('SendGrid event types to ingest; others are acknowledged and dropped'),
});

export type SendgridEventsConfig = z.output<typeof sendgridEventsConfigSchema>;

/** Fields that become the Weft event itself rather than properties. */
const eventFields = new Set(['email', 'event', 'timestamp', 'sg_event_id', 'weft_user_id']);

/**
 * The Weft track event one SendGrid event becomes, or `undefined` for an event type not ingested.
 * `sg_event_id` is the `messageId`, so SendGrid's redeliveries are counted once; the recipient is
 * `context.traits.email` (identity links it to the profile) and, as SendGrid echoes the
 * `weft_user_id` custom arg our destination sets, the `userId`.
 *
 * @example
 * toTrackEvent({ event: 'open', email: 'ada@example.com', sg_event_id: 'ev1', sg_message_id: 'm1', timestamp: 1600112492 }, ['open'])
 * // { type: 'track', event: 'Email Opened', messageId: 'sendgrid:ev1', anonymousId: 'sendgrid:…', context: { traits: { email: 'ada@example.com' } }, … }
 */
export function toTrackEvent(record: Record<string, unknown>, eventTypes: readonly SendgridEventType[]): EventInput | undefined {
  const type = record['event'];
  if (typeof type !== 'string' || !Object.hasOwn(eventNames, type) || !eventTypes.includes(type as SendgridEventType)) return undefined;
  const email = typeof record['email'] === 'string' ? record['email'].trim() : '';
  const eventId = typeof record['sg_event_id'] === 'string' ? record['sg_event_id'] : undefined;
  if (!eventId) throw new ValidationError(`a SendGrid ${type} event has no sg_event_id`);
  if (!email) throw new ValidationError(`SendGrid ${type} event ${eventId} has no email`);
  const properties = Object.fromEntries(Object.entries(record).filter(([key]) => !eventFields.has(key)));
  const timestamp = typeof record['timestamp'] === 'number' ? new Date(record['timestamp'] * 1000).toISOString() : undefined;
  const userId = typeof record['weft_user_id'] === 'string' && record['weft_user_id'] ? record['weft_user_id'] : undefined;
  return {
    type: 'track',
    event: eventNames[type as SendgridEventType],
    messageId: `sendgrid:${eventId}`,
    // Without a user id the event still needs an id of its own: one per address, not the address itself.
    ...(userId ? { userId } : { anonymousId: `sendgrid:${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32)}` }),
    properties: { sendgrid_event: type, ...properties },
    context: { traits: { email }, integration: { name: 'sendgrid' } },
    ...(timestamp ? { timestamp } : {}),
  };
}

async function handleEvents(request: Request, ctx: PluginContext<SendgridEventsConfig>) {
  if (request.method !== 'POST') {
    return { events: [], response: Response.json({ error: { code: 'method_not_allowed', message: 'SendGrid posts events' } }, { status: 405, headers: { Allow: 'POST' } }) };
  }
  const body = new Uint8Array(await request.arrayBuffer());
  const verdict = verifyEventWebhookSignature({
    publicKey: ctx.config.publicKey,
    signature: request.headers.get(SIGNATURE_HEADER),
    timestamp: request.headers.get(TIMESTAMP_HEADER),
    body,
    toleranceSeconds: ctx.config.toleranceSeconds,
  });
  if (!verdict.ok) throw new AuthError(`SendGrid Event Webhook signature rejected: ${verdict.reason}`);
  let records: unknown;
  try {
    records = JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    throw new ValidationError(`SendGrid Event Webhook body is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(records)) throw new ValidationError('SendGrid Event Webhook body must be a JSON array of events');
  const events = records.flatMap((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new ValidationError(`SendGrid event ${index} is not a JSON object`);
    const event = toTrackEvent(record as Record<string, unknown>, ctx.config.eventTypes);
    return event ? [event] : [];
  });
  if (events.length < records.length) ctx.logger.debug('sendgrid events skipped', { received: records.length, ingested: events.length });
  return { events };
}

/**
 * Receives SendGrid's Signed Event Webhook at `/hooks/:connectorId`: delivery and engagement
 * events become `Email …` track events. Unsubscribes and bounces are events for now; they become
 * consent and suppression updates once the privacy work lands.
 */
export const sendgridEvents = defineSource({
  title: 'SendGrid Event Webhook',
  description: 'Receives SendGrid delivery, engagement and unsubscribe events (Signed Event Webhook, ECDSA) as Email … track events',
  config: sendgridEventsConfigSchema,
  handle: handleEvents,
});
