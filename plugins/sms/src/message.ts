import { z } from 'zod';
import { fail, type DeliveryItem, type DeliveryResult, type WeftEvent } from '@weft/plugin-sdk';
import { isPhoneRegion, normalizePhone, type CountryCode } from '@weft/plugin-sdk/pii';

/**
 * What every SMS action sends: one phone number and the values its template may use. The default
 * mapping takes the phone from the event's traits and offers every trait and property as a value;
 * a connector's JSONata mapping can build the same shape from anything else.
 */
export const smsPayloadSchema = z.object({
  phone: z.union([z.string().min(1), z.number()]).describe('The recipient, in E.164 or national form (read with the connector\'s defaultRegion)'),
  params: z.record(z.string(), z.unknown()).default({}).describe('Values the template parameters are taken from (traits and properties by default)'),
});

export type SmsPayload = z.output<typeof smsPayloadSchema>;
export type SmsItem = DeliveryItem<SmsPayload>;

/** `phone` from `traits` (identify) or `context.traits` (any event); `params` = traits then properties. */
export function smsFromEvent(event: WeftEvent): Record<string, unknown> {
  const traits = { ...event.context?.traits, ...event.traits };
  return { phone: traits['phone'], params: { ...traits, ...event.properties } };
}

/** Settings shared by the three send actions. */
export const sendActionBase = {
  payload: smsPayloadSchema,
  types: ['track', 'identify'] as Array<WeftEvent['type']>,
  defaultMapping: smsFromEvent,
};

/** The recipient in E.164, or the reason the item cannot be sent to anyone. */
export function recipientOf(item: SmsItem, defaultRegion: CountryCode): { e164: string } | { result: DeliveryResult } {
  const e164 = normalizePhone(item.payload.phone, { defaultRegion });
  if (e164) return { e164 };
  return { result: fail(`'${String(item.payload.phone)}' is not a valid phone number (read with default region ${defaultRegion})`) };
}

/** Aliyun writes mainland numbers nationally (`13800138000`) and others as country code + number without `+`. */
export function aliyunPhoneNumber(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.slice(1);
}

/** A template value as text; objects and arrays are refused (no vendor template takes them). */
function paramText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * Reads each template parameter from the payload's values, by the name the connector maps it to.
 * A missing value fails the item: an SMS with an empty placeholder is worse than none.
 *
 * @example
 * templateValues({ customer: 'firstName' }, { firstName: 'Ada' }) // { values: { customer: 'Ada' } }
 */
export function templateValues(names: Record<string, string>, params: Record<string, unknown>): { values: Record<string, string> } | { result: DeliveryResult } {
  const values: Record<string, string> = {};
  for (const [parameter, name] of Object.entries(names)) {
    const text = paramText(params[name]);
    if (text === undefined) return { result: fail(`template parameter '${parameter}' needs the value '${name}', which the event does not have (or is not text)`) };
    values[parameter] = text;
  }
  return { values };
}

/** `{{name}}` placeholders filled from the values; a missing one fails the item. */
export function renderBody(template: string, params: Record<string, unknown>): { body: string } | { result: DeliveryResult } {
  const names = [...template.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)].map((match) => match[1]!);
  const found = templateValues(Object.fromEntries(names.map((name) => [name, name])), params);
  if ('result' in found) return found;
  return { body: template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => found.values[name]!) };
}

/** A region code field, checked when the connector is configured. */
export const regionField = (fallback: CountryCode) =>
  z
    .string()
    .refine(isPhoneRegion, 'must be an ISO 3166-1 alpha-2 region code such as CN or US')
    .transform((value) => value as CountryCode)
    .default(fallback)
    .describe(`Region of numbers written without a country code (ISO 3166-1 alpha-2, default ${fallback})`);
