import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  AuthError,
  ConfigError,
  TransientError,
  classifyHttpResponse,
  defineAction,
  defineDestination,
  describeFetchFailure,
  networkErrorCode,
  eventTypes,
  ok,
  secret,
  type DeliveryItem,
  type IdentityMerge,
  type PluginContext,
} from '@weft/plugin-sdk';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookPayload } from './signature.js';
import { userAgent } from './version.js';

/** Headers Weft sets itself; config `headers` may not replace them (credentials go in `authorization`, which is encrypted). */
const reservedHeaders = new Set(['content-type', 'content-length', 'host', 'user-agent', 'authorization', 'idempotency-key', 'weft-timestamp', 'weft-signature']);

const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Extra headers: valid names, no line breaks, none of the reserved ones (each problem reported under its header's path). */
const extraHeaders = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    if (!headerNamePattern.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `'${name}' is not a valid HTTP header name` });
    else if (reservedHeaders.has(name.toLowerCase())) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `is set by Weft and cannot be overridden (reserved: ${[...reservedHeaders].join(', ')}); put credentials in the encrypted 'authorization' field`,
      });
    }
    if (/[\r\n]/.test(value)) ctx.addIssue({ code: 'custom', path: [name], message: 'must not contain line breaks' });
  }
});

export const destinationConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).describe('Where events are POSTed'),
  signingSecret: secret('Key of the HMAC-SHA256 signature in the Weft-Signature header; share it with the receiver'),
  authorization: secret('Value sent as the Authorization header, e.g. "Bearer …" (optional, stored encrypted)').optional(),
  headers: extraHeaders
    .optional()
    .describe('Extra headers sent with every request (not secret: they are shown in the API)'),
  timeoutMs: z.number().int().min(100).max(300_000).optional().describe("Per-request timeout; defaults to the connector's timeoutMs setting (30 s)"),
});

export type DestinationConfig = z.output<typeof destinationConfigSchema>;
type Context = PluginContext<DestinationConfig>;

/** Any JSON object: the event by default, or whatever a connector's JSONata mapping builds. */
const payloadSchema = z.record(z.string(), z.unknown());

/**
 * The request one batch becomes. Exposed so receivers' tests (and ours) can see exactly what is sent.
 * The body is always `{"batch":[…]}`, one item or many, so a receiver parses one shape.
 */
export function buildWebhookRequest(items: DeliveryItem<Record<string, unknown>>[], config: DestinationConfig, now: number = Date.now()) {
  return signedRequest(JSON.stringify({ batch: items.map((item) => item.payload) }), batchIdempotencyKey(items), config, now);
}

/**
 * The request a merge of profiles becomes: `{"type":"identity.merge","survivorId",…}`, signed
 * like a batch, with the notice's own idempotency key.
 */
export function buildMergeRequest(item: DeliveryItem<IdentityMerge>, config: DestinationConfig, now: number = Date.now()) {
  return signedRequest(JSON.stringify({ type: 'identity.merge', ...item.payload }), item.idempotencyKey, config, now);
}

function signedRequest(body: string, idempotencyKey: string, config: DestinationConfig, now: number) {
  const timestamp = Math.floor(now / 1000);
  const headers: Record<string, string> = {
    ...config.headers,
    'Content-Type': 'application/json',
    'User-Agent': userAgent,
    'Idempotency-Key': idempotencyKey,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhookPayload({ secret: config.signingSecret, timestamp, body }),
  };
  if (config.authorization) headers['Authorization'] = config.authorization;
  return { body, headers };
}

/**
 * The single item's key, or the SHA-256 of the items' keys in order: the same set of items gets the
 * same key on every attempt, so a receiver can drop a batch it has already processed.
 */
export function batchIdempotencyKey(items: Pick<DeliveryItem<unknown>, 'idempotencyKey'>[]): string {
  if (items.length === 1) return items[0]!.idempotencyKey;
  return createHash('sha256').update(items.map((item) => item.idempotencyKey).join('\n')).digest('hex');
}

async function postBatch(items: DeliveryItem<Record<string, unknown>>[], ctx: Context) {
  const status = await post(buildWebhookRequest(items, ctx.config), ctx);
  ctx.logger.debug('webhook batch delivered', { host: new URL(ctx.config.url).host, items: items.length, status });
  return items.map(() => ok());
}

async function postMerge(item: DeliveryItem<IdentityMerge>, ctx: Context) {
  const status = await post(buildMergeRequest(item, ctx.config), ctx);
  ctx.logger.debug('webhook merge notice delivered', { host: new URL(ctx.config.url).host, survivorId: item.payload.survivorId, status });
}

/** POSTs a signed request and returns the status of a 2xx answer; anything else throws the SDK error that says what to do. */
async function post({ body, headers }: { body: string; headers: Record<string, string> }, ctx: Context): Promise<number> {
  const url = new URL(ctx.config.url);
  let response: Response;
  try {
    response = await ctx.fetch(url, { method: 'POST', headers, body, ...timeout(ctx.config) });
  } catch (error) {
    throw new TransientError(describeFetchFailure(error, url), { cause: error });
  }
  const failure = await classifyHttpResponse(response, `webhook receiver ${url.host}`);
  if (failure) throw failure;
  // Read the (ignored) body so the connection goes back to the pool.
  await response.arrayBuffer();
  return response.status;
}

/**
 * Sends an unsigned `OPTIONS` request: it proves the host resolves and answers without creating
 * anything at the receiver. 5xx and network failures fail the check; 401/403 (with the configured
 * `authorization`) mean the credential is refused; any other answer passes, since many servers
 * answer OPTIONS on a POST-only route with 404 or 405.
 */
async function checkReceiver(ctx: Context): Promise<void> {
  const url = new URL(ctx.config.url);
  const headers: Record<string, string> = { ...ctx.config.headers, 'User-Agent': userAgent };
  if (ctx.config.authorization) headers['Authorization'] = ctx.config.authorization;
  let response: Response;
  try {
    response = await ctx.fetch(url, { method: 'OPTIONS', headers, ...timeout(ctx.config) });
  } catch (error) {
    const code = networkErrorCode(error);
    const message = describeFetchFailure(error, url);
    throw code === 'ENOTFOUND' ? new ConfigError(message, { cause: error }) : new TransientError(message, { cause: error });
  }
  await response.arrayBuffer();
  if (response.status === 401 || response.status === 403) {
    throw new AuthError(`webhook receiver ${url.host} refused the credentials (${response.status} to OPTIONS): check the 'authorization' field`, {
      status: response.status,
    });
  }
  if (response.status >= 500) {
    throw new TransientError(`webhook receiver ${url.host} answered OPTIONS with ${response.status}: the receiver looks unhealthy`, { status: response.status });
  }
}

function timeout(config: DestinationConfig): { timeoutMs?: number } {
  return config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs };
}

/**
 * POSTs events as signed JSON to a URL. See README.md for the request format and how to verify it.
 *
 * @example
 * // connector config
 * { "url": "https://crm.example.com/hooks/weft", "signingSecret": "…" }
 */
export const destination = defineDestination({
  title: 'Signed webhook',
  description: 'POSTs events as JSON batches signed with HMAC-SHA256 to any HTTP(S) endpoint',
  config: destinationConfigSchema,
  check: checkReceiver,
  actions: {
    send: defineAction({
      title: 'Send events',
      description: 'POSTs {"batch": [events…]} (up to 100 events, ~500 KB) with Weft-Signature, Weft-Timestamp and Idempotency-Key headers',
      payload: payloadSchema,
      types: [...eventTypes],
      defaultMapping: (event) => event,
      batch: { maxItems: 100, maxBytes: 500_000 },
      performBatch: (items, ctx: Context) => postBatch(items, ctx),
    }),
  },
  onIdentityMerge: (item, ctx) => postMerge(item, ctx),
});
