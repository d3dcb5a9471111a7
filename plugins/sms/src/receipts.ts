import { timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { AuthError, ValidationError, type EventInput } from '@weft/plugin-sdk';
import { normalizePhone, type CountryCode } from '@weft/plugin-sdk/pii';

/** The events SMS receipts and replies become. */
export const SMS_EVENTS = { sent: 'SMS Sent', delivered: 'SMS Delivered', failed: 'SMS Failed', reply: 'SMS Reply Received' } as const;

export interface ReceiptInput {
  vendor: 'aliyun' | 'tencent-cloud' | 'twilio';
  event: (typeof SMS_EVENTS)[keyof typeof SMS_EVENTS];
  /** The person's number as the vendor wrote it. */
  phone: string;
  defaultRegion: CountryCode;
  /** Stable for the vendor's record, so a re-sent callback is not counted twice. */
  messageId: string;
  timestamp?: string;
  properties: Record<string, unknown>;
}

/**
 * A receipt or reply as a `track` event. The phone (E.164) is the identity: it goes in
 * `context.traits.phone`, so the host links the event to the profile with that number, and the
 * anonymous id is derived from it for events that have nothing else.
 */
export function receiptEvent(input: ReceiptInput): EventInput {
  const phone = normalizePhone(input.phone, { defaultRegion: input.defaultRegion }) ?? input.phone;
  return {
    type: 'track',
    event: input.event,
    anonymousId: `sms:${phone}`,
    messageId: `${input.vendor}-${input.messageId}`,
    properties: { provider: input.vendor, phone, ...input.properties },
    context: { traits: { phone } },
    ...(input.timestamp ? { timestamp: input.timestamp } : {}),
  } as EventInput;
}

/** `YYYY-MM-DD HH:mm:ss` in China Standard Time (how Aliyun and Tencent write times) as ISO 8601, or undefined. */
export function chinaTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value)) return undefined;
  return new Date(`${value.replace(' ', 'T')}+08:00`).toISOString();
}

/**
 * Aliyun and Tencent do not sign their pushes, so the callback URL carries a secret instead:
 * `…/hooks/<connector>?token=<callbackToken>`. Compared in constant time.
 */
export function verifyCallbackToken(request: Request, expected: string, vendor: string): void {
  const given = new URL(request.url).searchParams.get('token') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AuthError(`${vendor} callback refused: the token query parameter is missing or wrong (the callback URL must end in ?token=<callbackToken>)`);
  }
}

/** The body as JSON; a `ValidationError` naming the vendor when it is not. */
export async function readJsonBody(request: Request, vendor: string): Promise<unknown> {
  const text = await request.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError(`${vendor} callback body is not JSON (${text.length} characters)`);
  }
}

/**
 * The callback's JSON body checked against `schema`; a body that is not JSON, or not of that shape,
 * is refused in one line saying what was expected (`shape`) and which fields were wrong.
 */
export async function readCallback<Schema extends z.ZodType>(request: Request, schema: Schema, vendor: string, shape: string): Promise<z.output<Schema>> {
  const parsed = schema.safeParse(await readJsonBody(request, vendor));
  if (!parsed.success) throw new ValidationError(`${vendor} ${shape}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}
