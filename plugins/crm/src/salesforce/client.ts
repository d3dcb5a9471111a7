import { z } from 'zod';
import { AuthError, ConfigError, RateLimitedError, classifyHttpResponse, secret, type PluginContext } from '@weft/plugin-sdk';
import { readJson, vendorFetch } from '@weft/plugin-sdk';

/** What every Salesforce component needs to sign in and call the REST API. */
export const salesforceConnection = {
  loginUrl: z.url().default('https://login.salesforce.com').describe('Where tokens come from: https://login.salesforce.com, https://test.salesforce.com or your My Domain URL'),
  clientId: z.string().min(1).describe("Connected app's consumer key"),
  clientSecret: secret("Connected app's consumer secret"),
  refreshToken: secret('Refresh token for the refresh-token flow; leave out to use the client credentials flow').optional(),
  apiVersion: z.string().regex(/^\d+\.\d$/, 'must look like 62.0').default('62.0').describe('REST API version (46.0 or later for composite upserts)'),
};

interface Connection {
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken?: string | undefined;
  apiVersion: string;
}

interface Session {
  accessToken: string;
  instanceUrl: string;
}

/** Salesforce's REST error body: an array of `{ message, errorCode, fields? }` (`statusCode` in per-record results). */
export type SalesforceErrors = Array<{ message?: string; errorCode?: string; statusCode?: string; fields?: string[] }>;

/** A daily API limit resets on a rolling 24 h; try again in a few minutes rather than at once. */
const REQUEST_LIMIT_RETRY_MS = 5 * 60_000;

// Refused grants are credentials problems, whatever status the token endpoint uses for them.
const refusedGrants = new Set(['invalid_client', 'invalid_client_id', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type']);

const sessionKey = (config: Connection) => `salesforce-session:${config.loginUrl}:${config.clientId}`;

async function signIn(ctx: PluginContext<Connection>): Promise<Session> {
  const { loginUrl, clientId, clientSecret, refreshToken } = ctx.config;
  const form = new URLSearchParams(
    refreshToken
      ? { grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken }
      : { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
  );
  const url = new URL('/services/oauth2/token', loginUrl);
  const response = await vendorFetch(ctx, 'Salesforce', url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() });
  const answer = (await readJson(response.clone())) as { access_token?: string; instance_url?: string; error?: string; error_description?: string } | undefined;
  const flow = refreshToken ? 'refresh-token' : 'client credentials';
  if (answer?.error && refusedGrants.has(answer.error)) {
    throw new AuthError(`Salesforce refused the ${flow} sign-in (${answer.error}: ${answer.error_description ?? 'no description'}); check clientId, clientSecret${refreshToken ? ' and refreshToken' : ''}`, { status: response.status });
  }
  if (response.status === 401 || response.status === 403) throw new AuthError(`Salesforce refused the ${flow} sign-in (${response.status}); check clientId and clientSecret`, { status: response.status });
  const error = await classifyHttpResponse(response, 'Salesforce token endpoint');
  if (error) throw error;
  if (!answer?.access_token || !answer.instance_url) throw new ConfigError(`Salesforce's token endpoint at ${url.host} answered without access_token and instance_url; is loginUrl right?`);
  const session = { accessToken: answer.access_token, instanceUrl: answer.instance_url };
  await ctx.store.set(sessionKey(ctx.config), session);
  return session;
}

/**
 * Calls the Salesforce REST API with a cached session, signing in again once when Salesforce
 * answers 401 INVALID_SESSION_ID. Auth refusals throw `AuthError`, REQUEST_LIMIT_EXCEEDED and 429
 * a `RateLimitedError`, 5xx a transient error; other 4xx answers are returned to the caller.
 *
 * @example
 * const response = await callSalesforce(ctx, 'GET', `/services/data/v62.0/query?q=${encodeURIComponent(soql)}`, undefined, 'the query')
 */
export async function callSalesforce(ctx: PluginContext<Connection>, method: string, path: string, body: unknown, what: string): Promise<Response> {
  let session = (await ctx.store.get<Session>(sessionKey(ctx.config))) ?? (await signIn(ctx));
  for (let attempt = 1; ; attempt++) {
    const url = new URL(path, session.instanceUrl);
    const headers: Record<string, string> = { authorization: `Bearer ${session.accessToken}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await vendorFetch(ctx, 'Salesforce', url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (response.ok) return response;
    const errors = (await readJson(response.clone())) as SalesforceErrors | undefined;
    const code = Array.isArray(errors) ? errors[0]?.errorCode : undefined;
    const detail = `${response.status}${code ? ` ${code}` : ''}${Array.isArray(errors) && errors[0]?.message ? `: ${errors[0].message}` : ''}`;
    if (response.status === 401 && code === 'INVALID_SESSION_ID' && attempt === 1) {
      await ctx.store.delete(sessionKey(ctx.config));
      session = await signIn(ctx);
      continue;
    }
    if (code === 'REQUEST_LIMIT_EXCEEDED' || response.status === 429) {
      const error = await classifyHttpResponse(response, 'Salesforce');
      const retryAfterMs = error instanceof RateLimitedError && error.retryAfterMs !== undefined ? error.retryAfterMs : REQUEST_LIMIT_RETRY_MS;
      throw new RateLimitedError(`Salesforce refused ${what} for now (${detail})`, { status: response.status, retryAfterMs });
    }
    if (response.status === 401 || response.status === 403) throw new AuthError(`Salesforce refused ${what} (${detail}); check the connected app's user and permissions`, { status: response.status });
    if (response.status >= 400 && response.status < 500 && response.status !== 408) return response;
    throw (await classifyHttpResponse(response, 'Salesforce'))!;
  }
}

/** The one-line reason of a Salesforce error answer. */
export function describeSalesforceErrors(status: number, errors: unknown): string {
  const list = Array.isArray(errors) ? (errors as SalesforceErrors) : [];
  const parts = list.map((error) => `${error.errorCode ?? error.statusCode ?? 'error'}: ${error.message ?? 'no message'}${error.fields?.length ? ` [${error.fields.join(', ')}]` : ''}`);
  return `Salesforce answered ${status}${parts.length ? `: ${parts.join('; ')}` : ''}`;
}

/** Signs in and describes the sObject: proves the connected app, the user's access and that the fields exist. */
export async function describeSObject(ctx: PluginContext<Connection>, sObject: string): Promise<Array<{ name: string; externalId?: boolean; idLookup?: boolean }>> {
  const response = await callSalesforce(ctx, 'GET', `/services/data/v${ctx.config.apiVersion}/sobjects/${encodeURIComponent(sObject)}/describe`, undefined, `the description of ${sObject}`);
  const answer = await readJson(response);
  if (!response.ok) throw new ConfigError(describeSalesforceErrors(response.status, answer));
  const fields = (answer as { fields?: unknown } | undefined)?.fields;
  return Array.isArray(fields) ? (fields as Array<{ name: string; externalId?: boolean; idLookup?: boolean }>) : [];
}
