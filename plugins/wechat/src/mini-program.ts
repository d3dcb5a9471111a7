import { z } from 'zod';
import { AuthError, RateLimitedError, TransientError, ValidationError, defineSource, type EventInput } from '@weft/plugin-sdk';
import { apiConfigSchema, checkCredentials, wechatFetch, type WeChatAnswer } from './api.js';
import { wechatExternalIds } from './events.js';

const loginBody = z.object({
  code: z.string().min(1).max(256).describe('The code from wx.login()'),
  anonymousId: z.string().min(1).max(256).describe("The mini-program's anonymous id for this user (the one its events carry)"),
});

/**
 * The mini-program login endpoint, `POST /hooks/:connectorId/login` with `{ code, anonymousId }`:
 * exchanges the code with code2Session and links the anonymous id to the user's openid (and
 * unionid), answering `{ "ok": true }`. The session_key never leaves the server.
 */
export const miniProgram = defineSource({
  title: 'WeChat mini-program login',
  description: 'Links a mini-program user’s anonymous id to their openid and unionid (code2Session) at POST /hooks/:connectorId/login',
  config: apiConfigSchema,
  check: checkCredentials,
  async handle(request, ctx) {
    const path = new URL(request.url).pathname;
    if (!path.endsWith('/login')) {
      return { events: [], response: Response.json({ ok: false, error: 'POST { code, anonymousId } to /hooks/<connector>/login' }, { status: 404 }) };
    }
    if (request.method !== 'POST') return { events: [], response: Response.json({ ok: false, error: 'use POST' }, { status: 405, headers: { allow: 'POST' } }) };
    const parsed = loginBody.safeParse(await request.json());
    if (!parsed.success) throw new ValidationError(`the login body must be { code, anonymousId }: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ')}`);
    const session = await wechatFetch(ctx, '/sns/jscode2session', {
      appid: ctx.config.appId,
      secret: ctx.config.appSecret,
      js_code: parsed.data.code,
      grant_type: 'authorization_code',
    });
    const openid = typeof session.openid === 'string' && session.openid !== '' ? session.openid : undefined;
    if (!openid || (session.errcode ?? 0) !== 0) throw code2SessionError(session, ctx.config.appId);
    const unionid = typeof session.unionid === 'string' && session.unionid !== '' ? session.unionid : undefined;
    const event: EventInput = {
      type: 'identify',
      // One login of one anonymous id links the same ids: a repeat is a duplicate.
      messageId: `wechat:${ctx.config.appId}:login:${openid}:${parsed.data.anonymousId}`,
      anonymousId: parsed.data.anonymousId,
      traits: {},
      context: { externalIds: wechatExternalIds(ctx.config.appId, openid, unionid) },
    };
    return { events: [event], response: Response.json({ ok: true }) };
  },
});

/** code2Session's failures as answers to the mini-program: a bad code is 400, limits 429, WeChat busy 503, bad credentials 401. */
function code2SessionError(answer: WeChatAnswer, appId: string): Error {
  const detail = `${answer.errcode ?? 'no openid'} ${answer.errmsg ?? ''}`.trim();
  switch (answer.errcode) {
    case 40029:
    case 40163:
      return new ValidationError(`the login code is invalid, expired or already used (${detail}); call wx.login() again`);
    case 40226:
      return new ValidationError(`WeChat blocked the login of a high-risk user (${detail})`);
    case 45011:
      return new RateLimitedError(`too many logins for this user; WeChat allows 100 a minute (${detail})`, { retryAfterMs: 60_000 });
    case 40013:
    case 40125:
      return new AuthError(`WeChat refused the appId '${appId}' or its appSecret (${detail}); check the connector's config`);
    case -1:
      return new TransientError(`WeChat is busy; try the login again (${detail})`);
    default:
      return new TransientError(`code2Session gave no openid (${detail})`);
  }
}
