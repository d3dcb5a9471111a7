import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from '@weft/plugin-sdk/testing';

/** An app the fake knows: its secret, users (openid → unionid), followers, templates and subscriptions. */
export interface FakeApp {
  secret: string;
  /** openids of the app's users (40003 for any other). */
  users: string[];
  /** Official Account followers (template/send answers 43004 to the others). */
  followers?: string[];
  /** Template ids of the app (40037 for any other). */
  templates: string[];
  /** Mini-program one-time subscriptions, `openid → template ids`; each send uses one up (43101 without). */
  subscriptions?: Record<string, string[]>;
  /** wx.login codes → the user they log in (40029 for any other, 40163 when used twice). */
  loginCodes?: Record<string, { openid: string; unionid?: string }>;
  /** Sends allowed per day before 45009. */
  dailyQuota?: number;
}

export interface FakeWeChat extends FakeServer {
  /** Messages WeChat accepted, in order. */
  sent: Array<{ appId: string; path: string; body: Record<string, unknown> }>;
  /** Moves the fake's clock on: tokens older than their 7200 s answer 42001 afterwards. */
  advance(seconds: number): void;
  /** Access tokens issued so far. */
  tokensIssued(): number;
}

const TOKEN_LIFETIME_S = 7200;
const answer = (errcode: number, errmsg: string, extra: Record<string, unknown> = {}): FakeResponse => ({ json: { errcode, errmsg: `${errmsg} rid: fake-${errcode}`, ...extra } });

/**
 * WeChat's server API as the tests play it, on 127.0.0.1 (shapes and codes from
 * fixtures/api-shapes-and-errcodes.json): /cgi-bin/token checks appid and secret; sends check the
 * access_token (41001 missing, 40001 unknown, 42001 expired), touser, template_id and data, the
 * per-openid subscription or follow, and the daily quota; code2Session checks the code.
 */
export async function startFakeWeChat(apps: Record<string, FakeApp>): Promise<FakeWeChat> {
  let clock = 0;
  let issued = 0;
  const tokens = new Map<string, { appId: string; expiresAt: number }>();
  const usedCodes = new Set<string>();
  const sentToday = new Map<string, number>();
  const sent: FakeWeChat['sent'] = [];

  const credentials = (query: Record<string, string>, secretParam: string): { appId: string; app: FakeApp } | FakeResponse => {
    const app = apps[query['appid'] ?? ''];
    if (!app) return answer(40013, 'invalid appid');
    if (query[secretParam] !== app.secret) return answer(40125, 'invalid appsecret');
    return { appId: query['appid']!, app };
  };

  const token = (request: FakeRequest): FakeResponse => {
    if (request.query['grant_type'] !== 'client_credential') return answer(40002, 'invalid grant_type');
    const found = credentials(request.query, 'secret');
    if (!('app' in found)) return found;
    const value = `FAKE_TOKEN_${++issued}`;
    tokens.set(value, { appId: found.appId, expiresAt: clock + TOKEN_LIFETIME_S });
    return { json: { access_token: value, expires_in: TOKEN_LIFETIME_S } };
  };

  const code2Session = (request: FakeRequest): FakeResponse => {
    if (request.query['grant_type'] !== 'authorization_code') return answer(40002, 'invalid grant_type');
    const found = credentials(request.query, 'secret');
    if (!('app' in found)) return found;
    const code = request.query['js_code'] ?? '';
    if (code === 'busy') return answer(-1, 'system error');
    if (code === 'too-fast') return answer(45011, 'api minute-quota reach limit mustslower retry next minute');
    const user = found.app.loginCodes?.[code];
    if (!user) return answer(40029, 'invalid code');
    if (usedCodes.has(code)) return answer(40163, 'code been used');
    usedCodes.add(code);
    return { json: { openid: user.openid, session_key: `SESSION_KEY_OF_${user.openid}`, ...(user.unionid ? { unionid: user.unionid } : {}) } };
  };

  const send = (kind: 'subscribe' | 'template') => (request: FakeRequest): FakeResponse => {
    const accessToken = request.query['access_token'];
    if (!accessToken) return answer(41001, 'access_token missing');
    const grant = tokens.get(accessToken);
    if (!grant) return answer(40001, 'invalid credential, access_token is invalid or not latest');
    if (clock >= grant.expiresAt) return answer(42001, 'access_token expired');
    const body = request.json as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return answer(47001, 'data format error');
    const app = apps[grant.appId]!;
    const touser = body['touser'];
    if (typeof touser !== 'string' || !app.users.includes(touser)) return answer(40003, 'invalid openid');
    const templateId = body['template_id'];
    if (typeof templateId !== 'string' || !app.templates.includes(templateId)) return answer(40037, 'invalid template_id');
    const data = body['data'];
    const badField = typeof data !== 'object' || data === null ? 'data' : Object.entries(data).find(([, field]) => typeof (field as { value?: unknown })?.value !== 'string')?.[0];
    if (badField) return answer(47003, `argument invalid! data.${badField}.value invalid`);
    if ((sentToday.get(grant.appId) ?? 0) >= (app.dailyQuota ?? Infinity)) return answer(45009, 'reach max api daily quota limit');
    if (kind === 'template' && !(app.followers ?? []).includes(touser)) return answer(43004, 'require subscribe');
    if (kind === 'subscribe') {
      const remaining = app.subscriptions?.[touser] ?? [];
      const index = remaining.indexOf(templateId);
      if (index === -1) return answer(43101, 'user refuse to accept the msg');
      remaining.splice(index, 1);
    }
    sentToday.set(grant.appId, (sentToday.get(grant.appId) ?? 0) + 1);
    sent.push({ appId: grant.appId, path: request.path, body });
    return answer(0, 'ok', { msgid: 200228332 + sent.length });
  };

  const server = await startFakeServer({
    'GET /cgi-bin/token': token,
    'GET /sns/jscode2session': code2Session,
    'POST /cgi-bin/message/subscribe/send': send('subscribe'),
    'POST /cgi-bin/message/template/send': send('template'),
  });
  return Object.assign(server, {
    sent,
    advance(seconds: number) {
      clock += seconds;
    },
    tokensIssued: () => issued,
  });
}
