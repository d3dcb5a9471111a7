import { z } from 'zod';
import { AuthError, ConfigError, RateLimitedError, classifyHttpResponse, secret, type PluginContext } from '@weft/plugin-sdk';
import { readJson, vendorFetch } from '@weft/plugin-sdk';

/** What every HubSpot component needs to call the API. */
export const hubspotConnection = {
  accessToken: secret('Private app access token (pat-…), from Settings › Integrations › Private apps'),
  baseUrl: z.url().default('https://api.hubapi.com').describe('HubSpot API base URL'),
};

interface Connection {
  accessToken: string;
  baseUrl: string;
}

/** HubSpot's error body: `{ status: 'error', message, category, correlationId, errors?, context? }`. */
export interface HubSpotError {
  status?: string;
  message?: string;
  category?: string;
  errors?: Array<{ message?: string; code?: string }>;
  context?: Record<string, unknown>;
}

/**
 * Calls the HubSpot API with the private app token and turns its refusals into SDK errors:
 * 401 → `AuthError`, 429 → `RateLimitedError` (Retry-After honoured), 5xx → transient. A 4xx the
 * caller may attribute to one input is returned as the `Response` so the caller can decide.
 *
 * @example
 * const response = await callHubSpot(ctx, 'POST', '/crm/v3/objects/contacts/search', { limit: 1 }, 'the contact search')
 */
export async function callHubSpot(ctx: PluginContext<Connection>, method: string, path: string, body: unknown, what: string): Promise<Response> {
  const url = new URL(path, ctx.config.baseUrl);
  const headers: Record<string, string> = { authorization: `Bearer ${ctx.config.accessToken}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await vendorFetch(ctx, 'HubSpot', url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (response.ok || (response.status >= 400 && response.status < 500 && ![401, 403, 408, 429].includes(response.status))) return response;
  const answer = (await readJson(response.clone())) as HubSpotError | undefined;
  const detail = `${response.status}${answer?.category ? ` ${answer.category}` : ''}${answer?.message ? `: ${answer.message}` : ''}`;
  if (response.status === 401) throw new AuthError(`HubSpot refused the private app token for ${what} (${detail}); check accessToken`, { status: 401 });
  if (response.status === 403) throw new AuthError(`HubSpot denied ${what} (${detail}); give the private app the scopes the README lists`, { status: 403 });
  if (response.status === 429) {
    const error = await classifyHttpResponse(response, 'HubSpot');
    throw new RateLimitedError(`HubSpot rate-limited ${what} (${detail})`, { status: 429, ...(error instanceof RateLimitedError && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) });
  }
  throw (await classifyHttpResponse(response, 'HubSpot'))!;
}

/** The one-line reason of a HubSpot error answer. */
export function describeHubSpotError(status: number, answer: HubSpotError | undefined): string {
  const codes = (answer?.errors ?? []).map((error) => error.code).filter(Boolean);
  return `HubSpot answered ${status}${answer?.category ? ` ${answer.category}` : ''}${codes.length ? ` (${codes.join(', ')})` : ''}: ${answer?.message ?? 'no message'}`;
}

/** GET one contact id: the cheapest call that proves the token and the contacts read scope. */
export async function checkHubSpot(ctx: PluginContext<Connection>): Promise<void> {
  const response = await callHubSpot(ctx, 'GET', '/crm/v3/objects/contacts?limit=1&archived=false', undefined, 'the contact lookup');
  if (!response.ok) throw new ConfigError(describeHubSpotError(response.status, (await readJson(response)) as HubSpotError | undefined));
}

