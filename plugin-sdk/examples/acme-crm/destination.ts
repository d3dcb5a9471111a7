import { z } from 'zod';
import { defineAction, defineDestination, fail, ok, retry } from '@weft/plugin-sdk';
import { acmeRequest } from './api.js';
import { acmeApiConfig } from './config.js';

const contact = z.object({
  email: z.email(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
});

/** What Acme answers for a batch: one entry per contact, in order. */
interface BatchAnswer {
  results: Array<{ id?: string; error?: string }>;
}

export const destination = defineDestination({
  title: 'Acme CRM',
  description: 'Upserts contacts and records events in Acme CRM',
  config: acmeApiConfig,
  async check(ctx) {
    await acmeRequest(ctx, '/v1/me');
  },
  actions: {
    upsertContacts: defineAction(acmeApiConfig, {
      title: 'Upsert contacts',
      description: 'Creates or updates a contact for each identify, up to 100 per call',
      types: ['identify'],
      payload: contact,
      defaultMapping: (event) => ({
        email: event.traits?.['email'],
        firstName: event.traits?.['firstName'],
        lastName: event.traits?.['lastName'],
      }),
      batch: { maxItems: 100, maxBytes: 512_000, maxWaitMs: 2_000 },
      async performBatch(items, ctx) {
        const { results } = await acmeRequest<BatchAnswer>(ctx, '/v1/contacts/batch', {
          method: 'POST',
          body: JSON.stringify({ contacts: items.map((item) => item.payload) }),
        });
        // One result per item, in order: Acme may accept some contacts of a batch and refuse others.
        return items.map((_, index) => {
          const result = results[index];
          if (!result) return retry(`Acme returned no result for contact ${index + 1} of ${items.length}`);
          return result.error ? fail(`Acme refused the contact: ${result.error}`) : ok({ id: result.id });
        });
      },
    }),
    trackEvent: defineAction(acmeApiConfig, {
      title: 'Track event',
      description: "Records a track event on the contact's timeline",
      types: ['track'],
      payload: z.object({
        userId: z.string().min(1),
        name: z.string().min(1),
        properties: z.record(z.string(), z.unknown()),
        occurredAt: z.iso.datetime(),
      }),
      defaultMapping: (event) => ({ userId: event.userId ?? event.anonymousId, name: event.event, properties: event.properties ?? {}, occurredAt: event.timestamp }),
      async perform(item, ctx) {
        // Acme drops a second request with the same key, so a redelivery never records the event twice.
        await acmeRequest(ctx, '/v1/events', { method: 'POST', headers: { 'idempotency-key': item.idempotencyKey }, body: JSON.stringify(item.payload) });
      },
    }),
  },
});
