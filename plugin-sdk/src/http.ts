import { ConfigError, TransientError } from './errors.js';
import type { PluginContext } from './context.js';

/** Node's network error codes, in words an operator understands. */
const explanations: Record<string, string> = {
  ENOTFOUND: 'DNS lookup found no such host',
  EAI_AGAIN: 'DNS lookup failed for now',
  ECONNREFUSED: 'the connection was refused (nothing listens on that port)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the TLS certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate could not be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the TLS certificate does not match the host name',
};

/** The error code `fetch` buried in its `cause` chain (`ECONNREFUSED`, `ENOTFOUND`, …). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * One line saying why a request to `url` never got an answer. Names the host only: a URL's path
 * or query may carry a token or a signature.
 *
 * @example
 * describeFetchFailure(error, new URL('https://nope.invalid/in')) // 'could not reach nope.invalid: DNS lookup found no such host (ENOTFOUND)'
 * describeFetchFailure(error, url, 'HubSpot')                     // 'could not reach HubSpot at api.hubapi.com: …'
 */
export function describeFetchFailure(error: unknown, url: URL, vendor?: string): string {
  const where = vendor ? `${vendor} at ${url.host}` : url.host;
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'TimeoutError') return `${where} did not answer: ${message}`;
  if (name === 'AbortError') return `request to ${where} was aborted (shutting down)`;
  const code = networkErrorCode(error);
  const explanation = code ? (explanations[code] ?? causeMessage(error) ?? message) : (causeMessage(error) ?? message);
  return `could not reach ${where}: ${withoutUrl(explanation, url)}${code ? ` (${code})` : ''}`;
}

/**
 * `text` with `url` written as its origin (`https://host:port`): fetch's own messages may quote
 * the whole URL — credentials, a path or query holding a token — as in "Request cannot be
 * constructed from a URL that includes credentials: <url>".
 *
 * @example
 * withoutUrl('bad URL: https://u:pw@api.example.com/x?key=1', 'https://u:pw@api.example.com/x?key=1') // 'bad URL: https://api.example.com'
 */
export function withoutUrl(text: string, url: URL | string): string {
  const raw = String(url);
  let origin = 'the server';
  let href = raw;
  try {
    ({ origin, href } = new URL(raw));
  } catch {
    // Not a URL at all: whatever was given is still taken out.
  }
  return text.split(raw).join(origin).split(href).join(origin);
}

function causeMessage(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Error ? cause.message : undefined;
}

/**
 * Calls a vendor through `ctx.fetch`. A request that never gets an answer throws a
 * `TransientError` — a `ConfigError` when the host does not exist — whose message names the
 * vendor and host only.
 *
 * @example
 * const response = await vendorFetch(ctx, 'HubSpot', new URL('/crm/v3/objects/contacts?limit=1', baseUrl), { headers })
 */
export async function vendorFetch(ctx: PluginContext<unknown>, vendor: string, url: URL, init: RequestInit & { timeoutMs?: number } = {}): Promise<Response> {
  try {
    return await ctx.fetch(url, init);
  } catch (error) {
    const message = describeFetchFailure(error, url, vendor);
    throw networkErrorCode(error) === 'ENOTFOUND' ? new ConfigError(message, { cause: error }) : new TransientError(message, { cause: error });
  }
}

/** The body as JSON, or `undefined` when it is not JSON (a proxy's HTML error page, say). */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
