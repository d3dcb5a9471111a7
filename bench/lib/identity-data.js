// Synthetic identify events for the identity benchmark, stored as the ingest writer stores them
// (pending rows of `events`, payload = the normalised event), and synthetic profiles to top a
// graph up to a given size.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same events. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const surnames = [['王', 'wang'], ['李', 'li'], ['张', 'zhang'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'], ['黄', 'huang'], ['赵', 'zhao'], ['吴', 'wu'], ['周', 'zhou'], ['徐', 'xu'], ['孙', 'sun'], ['马', 'ma'], ['朱', 'zhu'], ['胡', 'hu'], ['郭', 'guo'], ['何', 'he'], ['高', 'gao'], ['林', 'lin'], ['罗', 'luo']];
const givenNames = [['伟', 'wei'], ['芳', 'fang'], ['娜', 'na'], ['敏', 'min'], ['静', 'jing'], ['丽', 'li'], ['强', 'qiang'], ['磊', 'lei'], ['军', 'jun'], ['洋', 'yang'], ['勇', 'yong'], ['艳', 'yan'], ['杰', 'jie'], ['娟', 'juan'], ['涛', 'tao'], ['明', 'ming'], ['超', 'chao'], ['秀英', 'xiuying'], ['霞', 'xia'], ['平', 'ping'], ['子涵', 'zihan'], ['浩然', 'haoran'], ['欣怡', 'xinyi'], ['宇轩', 'yuxuan']];
const domains = ['qq.com', '163.com', '126.com', 'gmail.com', 'outlook.com', 'foxmail.com', 'sina.com', 'qq.com'];
const cities = ['上海', '北京', '深圳', '广州', '杭州', '成都', '南京', '武汉', '西安', '苏州'];
const mobilePrefixes = ['138', '139', '150', '186', '177', '135', '158', '189'];
const agents = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49',
  'Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
];
const pages = [['/account', '我的账户'], ['/checkout', '结算'], ['/signup', '注册'], ['/login', '登录'], ['/member', '会员中心']];

/** Everything known about person `p`; deterministic, and every identifier is unique to `p`. */
export function person(p) {
  const [surname, surnamePinyin] = surnames[p % surnames.length];
  const [given, givenPinyin] = givenNames[Math.floor(p / surnames.length) % givenNames.length];
  const domain = domains[p % domains.length];
  const email = domain === 'qq.com' && p % 3 === 0 ? `${100_000_000 + p}@qq.com` : `${givenPinyin}.${surnamePinyin}${p}@${domain}`;
  // 7919 is prime to 10^8, so the eight digits differ for every p below 10^8.
  const digits = String((p * 7919) % 100_000_000).padStart(8, '0');
  const prefix = mobilePrefixes[p % mobilePrefixes.length];
  return { userId: `u${String(p).padStart(8, '0')}`, email, name: `${surname}${given}`, firstName: given, lastName: surname, mobile: `${prefix}${digits}`, city: cities[p % cities.length] };
}

/** How the same number arrives from different forms and apps. */
function phoneAsSent(mobile, r) {
  if (r < 0.4) return `+86 ${mobile.slice(0, 3)} ${mobile.slice(3, 7)} ${mobile.slice(7)}`;
  if (r < 0.7) return mobile;
  if (r < 0.9) return `+86${mobile}`;
  return `${mobile.slice(0, 3)}-${mobile.slice(3, 7)}-${mobile.slice(7)}`;
}

/** An anonymousId as the web SDK makes them (UUID-shaped); unique per `k`. */
export function anonymousId(k) {
  const h = Math.imul(k ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const g = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  const hex = (n, width) => n.toString(16).padStart(width, '0').slice(-width);
  return `${hex(h, 8)}-${hex(g >>> 16, 4)}-4${hex(g, 3)}-a${hex(h >>> 4, 3)}-${hex(k, 12)}`;
}

/** The shares of event kinds (the rest are first events of a new person). */
export const mix = {
  attach: 0.16, // a known person logs in on a new device: userId, new anonymousId, email → anonymousId attached
  anonymous: 0.07, // an anonymous visitor fills a form: anonymousId only → a profile of its own
  login: 0.07, // a known person logs in on a device that was anonymous so far → the two profiles merge
  emailOnly: 0.03, // a known person's email on a new device without login (newsletter form) → attached by email
  sharedDevice: 0.03, // a known person logs in on another person's device → kept apart (one user_id per profile)
};

/**
 * Generates `total` identify events in order. About 64 % are the first event of a new person;
 * the rest are returning people (new devices, logins that merge an anonymous profile, shared
 * devices) and anonymous visitors. With `repeat`, that share of the events (after the first
 * hundred people) are instead a known person identifying again on their first device, every
 * identifier already known — as an app does on each session. Yields the events with their kind.
 */
export function* identifyEvents({ total, seed = 42, run = 'b', repeat = 0 }) {
  const next = random(seed);
  const firstAnonymous = new Int32Array(total); // person → the anonymousId counter of their first device
  const waiting = new Int32Array(total); // anonymous visitors not yet logged in (FIFO), and when they came
  const waitingSince = new Int32Array(total);
  let waitingHead = 0;
  let waitingTail = 0;
  let persons = 0;
  let anonymous = 0;
  const base = Date.parse('2026-10-01T00:00:00.000Z');
  const known = () => Math.floor(next() * persons);
  for (let i = 0; i < total; i++) {
    const at = base + i * 2_500;
    const receivedAt = new Date(at).toISOString();
    const [path, title] = pages[i % pages.length];
    const context = {
      ip: `36.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`,
      locale: 'zh-CN',
      timezone: 'Asia/Shanghai',
      userAgent: agents[i % agents.length],
      library: { name: '@weft/web-sdk', version: '0.1.0' },
      page: { path, title, url: `https://shop.example.cn${path}` },
    };
    const event = {
      type: 'identify',
      messageId: `idb-${run}-${i}`,
      context,
      originalTimestamp: new Date(at - 1_200).toISOString(),
      sentAt: new Date(at - 200).toISOString(),
      receivedAt,
      timestamp: new Date(at - 1_000).toISOString(),
    };
    let r = next();
    let kind = 'first';
    if (persons > 100 && repeat > 0) {
      if (r < repeat) kind = 'repeat';
      // The rest keeps the usual mix.
      else r = (r - repeat) / (1 - repeat);
    }
    if (persons > 100 && kind !== 'repeat') {
      if ((r -= mix.attach) < 0) kind = 'attach';
      else if ((r -= mix.anonymous) < 0) kind = 'anonymous';
      else if ((r -= mix.login) < 0) kind = waitingTail > waitingHead && i - waitingSince[waitingHead] > 1_000 ? 'login' : 'attach';
      else if ((r -= mix.emailOnly) < 0) kind = 'emailOnly';
      else if ((r -= mix.sharedDevice) < 0) kind = 'sharedDevice';
    }
    if (kind === 'first') {
      const p = persons++;
      const who = person(p);
      // Some sign up on the device they browsed anonymously: the new profile is absorbed by the anonymous one.
      const browsed = next() < 0.08 && waitingTail > waitingHead && i - waitingSince[waitingHead] > 1_000;
      const anon = browsed ? waiting[waitingHead++] : anonymous++;
      firstAnonymous[p] = anon;
      event.userId = who.userId;
      event.anonymousId = anonymousId(anon);
      event.traits = { email: who.email, phone: phoneAsSent(who.mobile, next()), name: who.name, firstName: who.firstName, lastName: who.lastName, city: who.city, createdAt: receivedAt };
    } else if (kind === 'repeat') {
      const p = known();
      const who = person(p);
      event.userId = who.userId;
      event.anonymousId = anonymousId(firstAnonymous[p]);
      event.traits = { email: who.email, lastLoginAt: receivedAt };
    } else if (kind === 'anonymous') {
      const anon = anonymous++;
      waiting[waitingTail] = anon;
      waitingSince[waitingTail++] = i;
      event.anonymousId = anonymousId(anon);
      event.traits = { city: cities[i % cities.length], preferredLanguage: 'zh-CN' };
    } else {
      const p = known();
      const who = person(p);
      const email = next() < 0.2 ? who.email.toUpperCase() : who.email;
      if (kind === 'emailOnly') {
        event.anonymousId = anonymousId(anonymous++);
        event.traits = { email, subscribed: true };
      } else {
        event.userId = who.userId;
        if (kind === 'login') event.anonymousId = anonymousId(waiting[waitingHead++]);
        else if (kind === 'sharedDevice') event.anonymousId = anonymousId(firstAnonymous[(p + 1 + Math.floor(next() * (persons - 1))) % persons]);
        else event.anonymousId = anonymousId(anonymous++);
        event.traits = next() < 0.5 ? { email, phone: phoneAsSent(who.mobile, next()), lastLoginAt: receivedAt } : { email, lastLoginAt: receivedAt };
      }
    }
    yield { kind, event };
  }
}

/** COPY text format: tab-separated, `\` doubled (JSON.stringify already escapes tabs and newlines). */
const copyField = (text) => text.replaceAll('\\', '\\\\');

/**
 * Stores `total` identify events of `sourceId` as pending rows with one COPY.
 * @returns the number of events of each kind.
 */
export async function loadIdentifyEvents(sql, { sourceId, total, seed, repeat = 0 }) {
  const kinds = {};
  function* chunks() {
    let chunk = '';
    let rows = 0;
    for (const { kind, event } of identifyEvents({ total, seed, repeat })) {
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      chunk += `${sourceId}\t${event.messageId}\t${event.type}\t${copyField(JSON.stringify(event))}\t${event.receivedAt}\n`;
      if (++rows === 2_000) {
        yield chunk;
        chunk = '';
        rows = 0;
      }
    }
    if (chunk) yield chunk;
  }
  const writable = await sql`copy events (source_id, message_id, type, payload, received_at) from stdin`.writable();
  await pipeline(Readable.from(chunks()), writable);
  // Queued for the pipeline, as ingest queues each event it stores.
  await sql`insert into event_queue (event_id) select id from events`;
  await sql`vacuum (analyze) events, event_queue`;
  return kinds;
}

/**
 * Adds synthetic live profiles (each with user_id, email, phone and anonymous_id identities, as a
 * first identify would leave them) until the graph has `target` live profiles.
 * @returns how many it added.
 */
export async function topUpProfiles(sql, target) {
  const [{ live }] = await sql`select count(*)::int as live from profiles where merged_into is null`;
  const missing = target - live;
  if (missing <= 0) return 0;
  await sql.begin(async (tx) => {
    await tx`
      insert into profiles (id, traits, trait_sources, first_seen_at, last_seen_at, event_count, created_at, updated_at)
      select 'prf_' || md5('syn' || g)::uuid,
        jsonb_build_object('email', 'member' || g || '@163.com', 'phone', '+86199' || lpad(g::text, 8, '0'), 'name', '用户' || g, 'city', '上海'),
        '{}'::jsonb, now() - interval '40 days', now() - interval '40 days', 1, now() - interval '40 days', now()
      from generate_series(1, ${missing}::int) g`;
    await tx`
      insert into identities (type, scope, value, profile_id, origin_profile_id, first_seen_at, last_seen_at)
      select t.type, '', t.value, 'prf_' || md5('syn' || g)::uuid, 'prf_' || md5('syn' || g)::uuid, now() - interval '40 days', now() - interval '40 days'
      from generate_series(1, ${missing}::int) g,
        lateral (values ('user_id', 'syn' || lpad(g::text, 8, '0')), ('email', 'member' || g || '@163.com'),
          ('phone', '+86199' || lpad(g::text, 8, '0')), ('anonymous_id', md5('anon' || g)::uuid::text)) as t(type, value)`;
  });
  return missing;
}
