import { z } from 'zod';
import type { WeftEvent } from '@weft/plugin-sdk';

/**
 * What the `send` actions deliver: one message to one recipient. `variables` are what templates
 * (SMTP) or dynamic template data (SendGrid) are filled from; a connector's JSONata mapping may
 * build any of them.
 */
export const messagePayloadSchema = z.object({
  to: z.email({ error: 'must be an email address (the default mapping reads traits.email)' }),
  name: z.string().max(200).optional(),
  /** The event's user id, passed on to vendors that echo it back in their event webhooks. */
  userId: z.string().optional(),
  variables: z.record(z.string(), z.unknown()),
});

export type MessagePayload = z.output<typeof messagePayloadSchema>;

/**
 * The default mapping: the recipient from the profile's `email` trait (an identify's `traits`,
 * or `context.traits` on other events) and, as variables, `traits`, `properties`, `event`,
 * `userId`, `profileId` and `messageId`.
 *
 * @example
 * messageFromEvent({ type: 'identify', traits: { email: 'ada@example.com', firstName: 'Ada' }, … })
 * // { to: 'ada@example.com', variables: { traits: { email: 'ada@example.com', firstName: 'Ada' }, … } }
 */
export function messageFromEvent(event: WeftEvent & { profileId?: string }): unknown {
  const traits: Record<string, unknown> = { ...event.context?.traits, ...event.traits };
  const email = typeof traits['email'] === 'string' ? traits['email'].trim() : traits['email'];
  return {
    to: email,
    ...(typeof traits['name'] === 'string' && traits['name'] ? { name: traits['name'] } : {}),
    ...(event.userId ? { userId: event.userId } : {}),
    variables: {
      traits,
      properties: event.properties ?? {},
      event: event.event ?? event.name ?? event.type,
      userId: event.userId ?? null,
      profileId: event.profileId ?? null,
      messageId: event.messageId,
    },
  };
}
