// SendGrid's v3 mail send API as the tests play it, from its public reference: the bearer key,
// the body's required fields and limits, and SendGrid's error shapes and status codes.
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from '@weft/plugin-sdk/testing';

export interface FakeSendgridOptions {
  apiKey: string;
  /** Scopes `GET /v3/scopes` lists for the key (default: mail.send). */
  scopes?: string[];
  /** Answer this many mail sends with 429 (and `Retry-After: 2`) before accepting. */
  rateLimited?: number;
  /** Addresses SendGrid calls invalid (it is stricter than a syntax check). */
  invalidAddresses?: string[];
  /** Dynamic template ids the account has (default: any well-formed id). */
  templates?: string[];
}

export interface FakeSendgrid extends FakeServer {
  /** The bodies of the mail sends it accepted (202). */
  accepted: MailSend[];
}

export interface MailSend {
  from: { email: string; name?: string };
  template_id?: string;
  personalizations: Array<{ to: Array<{ email: string; name?: string }>; dynamic_template_data?: Record<string, unknown>; custom_args?: Record<string, string> }>;
  [field: string]: unknown;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const errors = (...list: Array<{ message: string; field: string | null; help?: string | null }>): FakeResponse => ({
  status: 400,
  json: { errors: list.map((error) => ({ help: null, ...error })) },
});

export async function startFakeSendgrid(options: FakeSendgridOptions): Promise<FakeSendgrid> {
  const accepted: MailSend[] = [];
  let rateLimited = options.rateLimited ?? 0;
  const authorized = (request: FakeRequest) => request.headers['authorization'] === `Bearer ${options.apiKey}`;
  const unauthorized: FakeResponse = { status: 401, json: { errors: [{ field: null, message: 'The provided authorization grant is invalid, expired, or revoked' }] } };
  const server = await startFakeServer({
    'GET /v3/scopes': (request) => (authorized(request) ? { json: { scopes: options.scopes ?? ['mail.send'] } } : unauthorized),
    'POST /v3/mail/send': (request) => {
      if (!authorized(request)) return unauthorized;
      if (!(options.scopes ?? ['mail.send']).includes('mail.send')) return { status: 403, json: { errors: [{ field: null, message: 'access forbidden' }] } };
      if (rateLimited > 0) {
        rateLimited -= 1;
        return { status: 429, headers: { 'retry-after': '2', 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0' }, json: { errors: [{ field: null, message: 'too many requests' }] } };
      }
      if (!request.headers['content-type']?.startsWith('application/json')) return errors({ field: null, message: 'Content-Type should be application/json.' });
      const body = request.json as MailSend | undefined;
      if (!body || typeof body !== 'object') return errors({ field: null, message: 'Bad Request' });
      return validate(body, options) ?? (accepted.push(body), { status: 202, body: '' });
    },
  });
  return Object.assign(server, { accepted });
}

function validate(body: MailSend, options: FakeSendgridOptions): FakeResponse | undefined {
  if (!body.from?.email) return errors({ field: 'from.email', message: 'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.' });
  const personalizations = body.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    return errors({ field: 'personalizations', message: 'The personalizations field is required and must have at least one personalization.' });
  }
  if (personalizations.length > 1000) return errors({ field: 'personalizations', message: 'The personalization block is limited to 1000 personalizations per API request.' });
  const recipients = personalizations.reduce((count, personalization) => count + (personalization.to?.length ?? 0), 0);
  if (recipients > 1000) return errors({ field: 'personalizations', message: 'The total number of recipients must be no more than 1000.' });
  if (body.template_id !== undefined && !/^d-[0-9a-f]{32}$/i.test(body.template_id)) {
    return errors({ field: 'template_id', message: 'The template_id must be a valid GUID, you provided ' + body.template_id });
  }
  if (body.template_id !== undefined && options.templates && !options.templates.includes(body.template_id)) {
    return errors({ field: 'template_id', message: 'The template_id must be a valid template of this account, you provided ' + body.template_id });
  }
  const fieldErrors = personalizations.flatMap((personalization, index) => {
    if (!Array.isArray(personalization.to) || personalization.to.length === 0) {
      return [{ field: `personalizations.${index}.to`, message: 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.' }];
    }
    const bad = personalization.to.flatMap((to, position) =>
      !emailPattern.test(to.email ?? '') || options.invalidAddresses?.includes(to.email)
        ? [{ field: `personalizations.${index}.to.${position}.email`, message: 'Does not contain a valid address.' }]
        : [],
    );
    const args = Object.entries(personalization.custom_args ?? {}).filter(([, value]) => typeof value !== 'string');
    return [...bad, ...args.map(([key]) => ({ field: `personalizations.${index}.custom_args.${key}`, message: 'Custom args values must be strings.' }))];
  });
  return fieldErrors.length > 0 ? errors(...fieldErrors) : undefined;
}
