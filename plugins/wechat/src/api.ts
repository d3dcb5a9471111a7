import { z } from 'zod';
import { AuthError, ConfigError, RateLimitedError, TransientError, classifyHttpResponse, describeFetchFailure, isPluginError, networkErrorCode, secret, type PluginContext } from '@weft/plugin-sdk';

export const DEFAULT_API_BASE_URL = 'https://api.weixin.qq.com';

/** Credentials of a WeChat app (Official Account or mini-program) for server-side API calls. */
export const apiConfigSchema = z.object({
  appId: z.string().regex(/^wx[0-9a-zA-Z]+$/, 'a WeChat app id starts with "wx"').describe('AppID of the Official Account or mini-program'),
  appSecret: secret('AppSecret of the app (Development → Basic Configuration); used to fetch access tokens'),
  apiBaseUrl: z.url().default(DEFAULT_API_BASE_URL).describe('WeChat API base URL (change only for a proxy or tests)'),
});

export type ApiConfig = z.output<typeof apiConfigSchema>;

/** WeChat answers HTTP 200 with `errcode` for every outcome; 0 (or no errcode) is success. */
export interface WeChatAnswer {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

/** Codes that mean "this access_token is no good": fetch a fresh one and try once more. */
const STALE_TOKEN_CODES = new Set([40001, 40014, 42001]);
const TOKEN_KEY = 'access_token';
// Refresh a little before WeChat's expiry, so a token is never used in its last minutes.
const TOKEN_SAFETY_MS = 5 * 60_000;

/** In-flight token fetches per connector and app: concurrent sends share one fetch (each fetch invalidates the previous token). */
const tokenFetches = new Map<string, Promise<string>>();

/** Calls `ctx.fetch`, turning a network failure into a one-line error naming the host (never the query, which holds secrets). */
export async function wechatFetch(ctx: PluginContext<ApiConfig>, path: string, query: Record<string, string>, init: RequestInit = {}): Promise<WeChatAnswer> {
  const url = `${ctx.config.apiBaseUrl.replace(/\/$/, '')}${path}?${new URLSearchParams(query)}`;
  let response: Response;
  try {
    response = await ctx.fetch(url, init);
  } catch (error) {
    if (isPluginError(error)) throw error;
    // The SDK's wording, naming the host only (the query holds the appSecret); no such host is a config error.
    const message = describeFetchFailure(error, new URL(url), 'WeChat');
    throw networkErrorCode(error) === 'ENOTFOUND' ? new ConfigError(message, { cause: error }) : new TransientError(message, { cause: error });
  }
  const httpError = await classifyHttpResponse(response, 'WeChat');
  if (httpError) throw httpError;
  try {
    return (await response.json()) as WeChatAnswer;
  } catch (error) {
    throw new TransientError(`WeChat answered ${path} with a body that is not JSON`, { cause: error });
  }
}

/**
 * The app's access_token: from the connector's store while it is valid, else fetched with
 * `GET /cgi-bin/token` and stored until shortly before it expires.
 */
export async function accessToken(ctx: PluginContext<ApiConfig>, options: { fresh?: boolean } = {}): Promise<string> {
  if (!options.fresh) {
    const cached = await ctx.store.get<string>(TOKEN_KEY);
    if (cached) return cached;
  }
  const flightKey = `${ctx.connector.id}\u0000${ctx.config.appId}`;
  const inFlight = tokenFetches.get(flightKey);
  if (inFlight) return inFlight;
  const fetching = fetchAccessToken(ctx).finally(() => tokenFetches.delete(flightKey));
  tokenFetches.set(flightKey, fetching);
  return fetching;
}

async function fetchAccessToken(ctx: PluginContext<ApiConfig>): Promise<string> {
  const answer = await wechatFetch(ctx, '/cgi-bin/token', { grant_type: 'client_credential', appid: ctx.config.appId, secret: ctx.config.appSecret });
  if (typeof answer.access_token !== 'string' || answer.access_token === '') throw tokenError(answer, ctx.config.appId);
  const expiresInMs = (typeof answer.expires_in === 'number' ? answer.expires_in : 7200) * 1000;
  await ctx.store.set(TOKEN_KEY, answer.access_token, { ttlMs: Math.max(expiresInMs - TOKEN_SAFETY_MS, expiresInMs / 2) });
  return answer.access_token;
}

/** Why WeChat gave no token, as the error the host acts on. */
function tokenError(answer: WeChatAnswer, appId: string): Error {
  const code = `${answer.errcode ?? 'no errcode'} ${answer.errmsg ?? ''}`.trim();
  switch (answer.errcode) {
    case 40013:
      return new AuthError(`WeChat does not know the appId '${appId}' (${code}); check the connector's appId`);
    case 40001:
    case 40125:
      return new AuthError(`WeChat refused the appSecret of appId '${appId}' (${code}); copy the current AppSecret from the console`);
    case 40164:
      return new ConfigError(`WeChat refused to issue a token because this server's IP is not on the app's IP whitelist (${code})`);
    case -1:
      return new TransientError(`WeChat is busy and issued no access_token (${code})`);
    case 45009:
    case 45011:
      return new RateLimitedError(`WeChat's access_token quota is used up for appId '${appId}' (${code})`, { retryAfterMs: 60_000 });
    default:
      return new TransientError(`WeChat answered the token request without an access_token (${code})`);
  }
}

/**
 * POSTs JSON to a WeChat API with the app's access_token; when WeChat says the token is stale
 * (40001, 40014, 42001) it fetches a fresh one and tries once more. Returns WeChat's answer,
 * whatever its errcode.
 */
export async function callWithToken(ctx: PluginContext<ApiConfig>, path: string, body: unknown): Promise<WeChatAnswer> {
  const send = async (token: string) =>
    wechatFetch(ctx, path, { access_token: token }, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await send(await accessToken(ctx));
  if (!STALE_TOKEN_CODES.has(answer.errcode ?? 0)) return answer;
  ctx.logger.info('WeChat refused the cached access_token; fetching a fresh one', { errcode: answer.errcode });
  await ctx.store.delete(TOKEN_KEY);
  const retried = await send(await accessToken(ctx, { fresh: true }));
  if (STALE_TOKEN_CODES.has(retried.errcode ?? 0)) {
    throw new AuthError(`WeChat refused a freshly issued access_token for appId '${ctx.config.appId}' (${retried.errcode} ${retried.errmsg ?? ''}); is another system using the same AppSecret?`);
  }
  return retried;
}

/** Answers `check()`: the token endpoint accepts the appId and appSecret. */
export async function checkCredentials(ctx: PluginContext<ApiConfig>): Promise<void> {
  await accessToken(ctx, { fresh: true });
}

/** Milliseconds until WeChat's daily quotas reset: midnight in Beijing (UTC+8). */
export function msUntilQuotaReset(now = Date.now()): number {
  const beijingDay = 24 * 3_600_000;
  const offset = 8 * 3_600_000;
  return beijingDay - ((now + offset) % beijingDay);
}
