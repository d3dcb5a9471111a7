// The Twilio Messages API as its public docs describe it: HTTP Basic auth with the Account SID and
// auth token, form-encoded POSTs, E.164 `To`, and its error shape `{code, message, more_info, status}`.
import { randomBytes } from 'node:crypto';
import type { FakeHandler, FakeResponse } from '@weft/plugin-sdk/testing';

export interface TwilioFakeOptions {
  accountSid: string;
  authToken: string;
  /** Numbers Twilio can send from. */
  from?: string[];
  /** E.164 numbers answered with 21211 (invalid To). */
  invalidNumbers?: string[];
}

export interface TwilioFake {
  handler: FakeHandler;
  sent: Array<{ to: string; from: string; body: string; statusCallback?: string }>;
  /** The next `count` sends are answered 429 with error 20429 and `Retry-After: seconds`. */
  throttleNext(count: number, seconds?: number): void;
}

const E164 = /^\+[1-9]\d{6,14}$/;

export function twilioFake(options: TwilioFakeOptions): TwilioFake {
  const from = new Set(options.from ?? ['+15005550006']);
  const invalid = new Set(options.invalidNumbers ?? []);
  const sent: TwilioFake['sent'] = [];
  let throttled = { count: 0, seconds: 1 };
  const error = (status: number, code: number, message: string, headers: Record<string, string> = {}): FakeResponse => ({
    status,
    headers,
    json: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  });

  const handler: FakeHandler = (request) => {
    const expected = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
    if (request.headers['authorization'] !== expected) return error(401, 20003, 'Authenticate', { 'www-authenticate': 'Basic realm="Twilio API"' });
    if (request.method === 'GET' && request.path === `/2010-04-01/Accounts/${options.accountSid}.json`) {
      return { json: { sid: options.accountSid, status: 'active', type: 'Full', friendly_name: 'Weft test' } };
    }
    if (request.method !== 'POST' || request.path !== `/2010-04-01/Accounts/${options.accountSid}/Messages.json`) return error(404, 20404, 'The requested resource was not found');
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return error(400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
    if (throttled.count > 0) {
      throttled.count--;
      return error(429, 20429, 'Too Many Requests', { 'retry-after': String(throttled.seconds) });
    }
    const form = new URLSearchParams(request.body);
    const to = form.get('To');
    const sender = form.get('From') ?? form.get('MessagingServiceSid');
    const body = form.get('Body');
    if (!to) return error(400, 21604, "A 'To' phone number is required.");
    if (!sender) return error(400, 21603, "A 'From' phone number is required.");
    if (!body) return error(400, 21602, 'Message body is required.');
    if (!E164.test(to) || invalid.has(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (form.get('From') && !from.has(sender)) return error(400, 21606, `The From phone number ${sender} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    if (body.length > 1600) return error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const statusCallback = form.get('StatusCallback') ?? undefined;
    sent.push({ to, from: sender, body, ...(statusCallback ? { statusCallback } : {}) });
    const sid = `SM${randomBytes(16).toString('hex')}`;
    return { status: 201, json: { sid, account_sid: options.accountSid, to, from: sender, body, status: 'queued', num_segments: '1', direction: 'outbound-api', error_code: null, error_message: null, uri: `/2010-04-01/Accounts/${options.accountSid}/Messages/${sid}.json` } };
  };

  return {
    handler,
    sent,
    throttleNext(count, seconds = 1) {
      throttled = { count, seconds };
    },
  };
}
