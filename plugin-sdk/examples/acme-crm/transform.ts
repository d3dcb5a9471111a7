import { z } from 'zod';
import { defineTransform } from '@weft/plugin-sdk';

export const stripTestUsers = defineTransform({
  description: 'Drops events of internal test accounts (by email domain) and lower-cases emails',
  config: z.object({ testDomains: z.array(z.string().min(1)).default(['example.com']) }),
  // Runs once per connector: the set is built once, not for every event.
  prepare: (ctx) => new Set(ctx.config.testDomains.map((domain) => domain.toLowerCase())),
  transform(event, ctx) {
    const testDomains = ctx.prepared as Set<string>;
    const email = event.traits?.['email'];
    if (typeof email !== 'string') return event;
    const normalized = email.trim().toLowerCase();
    if (testDomains.has(normalized.split('@')[1] ?? '')) return null;
    return { ...event, traits: { ...event.traits, email: normalized } };
  },
});
