import { classifyHttpResponse, type PluginContext } from '@weft/plugin-sdk';
import type { AcmeApiConfig } from './config.js';

/**
 * Calls Acme's REST API with the connector's key and turns any non-2xx answer into the SDK error
 * the host understands (401/403 pause the connector, 429/5xx retry, other 4xx fail the item).
 */
export async function acmeRequest<Body>(ctx: PluginContext<AcmeApiConfig>, path: string, init: RequestInit = {}): Promise<Body> {
  const response = await ctx.fetch(`${ctx.config.baseUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ctx.config.apiKey}`, 'content-type': 'application/json', ...init.headers },
  });
  const error = await classifyHttpResponse(response, 'Acme');
  if (error) throw error;
  return (await response.json()) as Body;
}
