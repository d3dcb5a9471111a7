import { z } from 'zod';
import { AuthError, ValidationError, defineSource, secret, type EventInput } from '@weft/plugin-sdk';
import { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from './signature.js';

export const sourceConfigSchema = z.object({
  signingSecret: secret('Key the sender signs requests with (HMAC-SHA256 over "<timestamp>.<body>")'),
  toleranceSeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_TOLERANCE_SECONDS)
    .describe('How old (or how far in the future) a Weft-Timestamp may be; older requests are rejected as replays'),
});

export type SourceConfig = z.output<typeof sourceConfigSchema>;

/**
 * Reads the events out of a verified body: one event, an array of events, or `{ "batch": [...] }`.
 *
 * @example
 * eventsFromBody({ batch: [{ type: 'track', event: 'Signed Up', userId: 'u1' }] }) // [{ type: 'track', … }]
 */
export function eventsFromBody(body: unknown): EventInput[] {
  const list = Array.isArray(body) ? body : isObject(body) && 'batch' in body ? body.batch : [body];
  if (!Array.isArray(list)) throw new ValidationError(`'batch' must be an array of events, got ${typeof list}`);
  const bad = list.findIndex((item) => !isObject(item));
  if (bad !== -1) throw new ValidationError(`event ${bad} must be a JSON object, got ${list[bad] === null ? 'null' : typeof list[bad]}`);
  return list as EventInput[];
}

/**
 * Accepts signed JSON events at `/hooks/:connectorId` — the format the webhook destination sends,
 * so one Weft can forward to another.
 */
export const source = defineSource({
  title: 'Signed webhook',
  description: 'Receives JSON events signed with HMAC-SHA256 (Weft-Signature, Weft-Timestamp) at /hooks/:connectorId',
  config: sourceConfigSchema,
  async handle(request, ctx) {
    if (request.method === 'OPTIONS') return { events: [], response: new Response(null, { status: 204, headers: { Allow: 'POST, OPTIONS' } }) };
    if (request.method !== 'POST') {
      const response = Response.json({ error: { code: 'method_not_allowed', message: 'Send events with POST' } }, { status: 405, headers: { Allow: 'POST, OPTIONS' } });
      return { events: [], response };
    }
    const body = new Uint8Array(await request.arrayBuffer());
    const verdict = verifyWebhookSignature({
      secret: ctx.config.signingSecret,
      timestamp: request.headers.get(TIMESTAMP_HEADER),
      signature: request.headers.get(SIGNATURE_HEADER),
      body,
      toleranceSeconds: ctx.config.toleranceSeconds,
    });
    if (!verdict.ok) throw new AuthError(`Webhook signature rejected: ${verdict.reason}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(body));
    } catch (error) {
      throw new ValidationError(`Request body is not valid JSON: ${(error as Error).message}`);
    }
    return { events: eventsFromBody(parsed) };
  },
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
