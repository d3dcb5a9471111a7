import { ConfigError, TransientError, type PluginContext } from '@weft/plugin-sdk';

/** Node's network error codes, in words an operator understands. */
const explanations: Record<string, string> = {
  ENOTFOUND: 'DNS lookup found no such host',
  EAI_AGAIN: 'DNS lookup failed for now',
  ECONNREFUSED: 'the connection was refused (nothing listens on that port)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
};

function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Calls a CRM through `ctx.fetch`. A request that never gets an answer throws a `TransientError`
 * (a `ConfigError` when the host does not exist) naming the vendor and host only.
 *
 * @example
 * const response = await vendorFetch(ctx, 'HubSpot', new URL('/crm/v3/objects/contacts?limit=1', baseUrl), { headers })
 */
export async function vendorFetch(ctx: PluginContext<unknown>, vendor: string, url: URL, init: RequestInit = {}): Promise<Response> {
  try {
    return await ctx.fetch(url, init);
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'TimeoutError') throw new TransientError(`${vendor} at ${url.host} did not answer in time`, { cause: error });
    const code = networkErrorCode(error);
    const explanation = code ? (explanations[code] ?? code) : error instanceof Error ? error.message : String(error);
    const message = `could not reach ${vendor} at ${url.host}: ${explanation}${code && explanations[code] ? ` (${code})` : ''}`;
    throw code === 'ENOTFOUND' ? new ConfigError(message, { cause: error }) : new TransientError(message, { cause: error });
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
