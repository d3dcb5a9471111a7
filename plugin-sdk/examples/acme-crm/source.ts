import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AuthError, defineSource, ValidationError, type EventInput } from '@weft/plugin-sdk';
import { acmeRequest } from './api.js';
import { acmeSourceConfig } from './config.js';

const acmeContact = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  updatedAt: z.iso.datetime(),
});
type AcmeContact = z.output<typeof acmeContact>;

const notification = z.object({
  id: z.string(),
  type: z.enum(['contact.created', 'contact.updated']),
  contact: acmeContact,
});

/** Signatures older than this are refused, so a captured request cannot be replayed later. */
const signatureTolerance = 5 * 60 * 1000;

export const source = defineSource({
  title: 'Acme CRM',
  description: 'Contact changes from Acme: signed webhooks as they happen, and a full contacts sync',
  config: acmeSourceConfig,
  async check(ctx) {
    await acmeRequest(ctx, '/v1/me');
  },
  async handle(request, ctx) {
    const body = await request.text();
    verifySignature(request.headers, body, ctx.config.signingSecret);
    const parsed = notification.safeParse(parseJson(body));
    if (!parsed.success) throw new ValidationError(`Acme notification is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    return { events: [identifyFrom(parsed.data.contact, `acme-notification-${parsed.data.id}`)] };
  },
  streams: {
    contacts: {
      description: 'Every contact, oldest change first',
      async *read(ctx) {
        let cursor = ctx.cursor;
        for (;;) {
          const query = new URLSearchParams({ limit: '100', ...(cursor ? { updatedSince: String(cursor.value), afterId: cursor.id ?? '' } : {}) });
          const page = await acmeRequest<{ contacts: unknown[]; hasMore: boolean }>(ctx, `/v1/contacts?${query}`);
          const contacts = z.array(acmeContact).parse(page.contacts);
          for (const contact of contacts) yield { record: identifyFrom(contact, `acme-contact-${contact.id}-${contact.updatedAt}`) };
          const last = contacts.at(-1);
          if (!last) return;
          // (updatedAt, id) together: contacts sharing an updatedAt are neither skipped nor read twice.
          cursor = { value: last.updatedAt, id: last.id };
          yield { checkpoint: cursor };
          if (!page.hasMore) return;
        }
      },
    },
  },
});

function verifySignature(headers: Headers, body: string, secret: string): void {
  const timestamp = headers.get('x-acme-timestamp');
  const signature = headers.get('x-acme-signature');
  if (!timestamp || !signature) throw new AuthError('the request has no X-Acme-Timestamp and X-Acme-Signature headers');
  const age = Date.now() - Number(timestamp) * 1000;
  if (!(Math.abs(age) <= signatureTolerance)) throw new AuthError('the X-Acme-Timestamp is more than 5 minutes away from now');
  const expected = Buffer.from(`v1=${signPayload(timestamp, body, secret)}`);
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new AuthError('the X-Acme-Signature does not match the body');
}

/** Acme's signature: HMAC-SHA256 over `<timestamp>.<body>`, hex. */
export function signPayload(timestamp: string, body: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new ValidationError('the body is not JSON');
  }
}

function identifyFrom(contact: AcmeContact, messageId: string): EventInput {
  return {
    type: 'identify',
    messageId,
    userId: contact.email,
    timestamp: contact.updatedAt,
    traits: { email: contact.email, firstName: contact.firstName, lastName: contact.lastName, acmeContactId: contact.id },
    context: { externalIds: [{ id: contact.id, type: 'acme_contact_id' }] },
  };
}
