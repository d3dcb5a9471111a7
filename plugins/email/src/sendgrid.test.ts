import { afterEach, describe, expect, it } from 'vitest';
import { createHarness } from '@weft/plugin-sdk/testing';
import plugin from './index.js';
import { startFakeSendgrid, type FakeSendgrid } from '../test/fake-sendgrid.js';

const apiKey = 'SG.test-key.0123456789abcdef';
const templateId = 'd-0123456789abcdef0123456789abcdef';
const harness = createHarness(plugin);
let vendor: FakeSendgrid | undefined;

afterEach(async () => {
  await vendor?.close();
  vendor = undefined;
});

const config = (url: string, extra: Record<string, unknown> = {}) => ({ apiKey, baseUrl: url, from: { email: 'hello@acme.test', name: 'Acme' }, templateId, ...extra });

const identify = (email: string, traits: Record<string, unknown> = {}) => ({ type: 'identify' as const, userId: `u-${email}`, traits: { email, ...traits } });

describe('sendgrid destination', () => {
  it('sends one personalization per recipient with the traits as dynamic template data', async () => {
    vendor = await startFakeSendgrid({ apiKey });
    const destination = harness.destination('sendgrid', { config: config(vendor.url) });
    const run = await destination.send('send', [identify('ada@example.com', { firstName: 'Ada' }), identify('bob@example.com', { firstName: 'Bob', name: 'Bob B' })]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'ok']);
    expect(vendor.accepted).toHaveLength(1);
    const [body] = vendor.accepted;
    expect(body).toMatchObject({ from: { email: 'hello@acme.test', name: 'Acme' }, template_id: templateId });
    expect(body!.personalizations[1]).toEqual({
      to: [{ email: 'bob@example.com', name: 'Bob B' }],
      dynamic_template_data: expect.objectContaining({ traits: { email: 'bob@example.com', firstName: 'Bob', name: 'Bob B' }, userId: 'u-bob@example.com' }),
      custom_args: { weft_message_id: run.results[1]!.messageId, weft_user_id: 'u-bob@example.com' },
    });
  });

  it('splits more than 1000 recipients into requests of at most 1000 personalizations', async () => {
    vendor = await startFakeSendgrid({ apiKey });
    const events = Array.from({ length: 1001 }, (_, index) => identify(`user${index}@example.com`));
    const run = await harness.destination('sendgrid', { config: config(vendor.url) }).send('send', events);
    expect(run.results.every((result) => result.status === 'ok')).toBe(true);
    expect(vendor.accepted.map((body) => body.personalizations.length)).toEqual([1000, 1]);
  });

  it('retries after Retry-After when SendGrid answers 429, then delivers', async () => {
    vendor = await startFakeSendgrid({ apiKey, rateLimited: 1 });
    const destination = harness.destination('sendgrid', { config: config(vendor.url) });
    const first = await destination.send('send', [identify('ada@example.com')]);
    expect(first.results[0]).toMatchObject({ status: 'retry', retryAfterMs: 2000 });
    const second = await destination.send('send', [identify('ada@example.com')], { attempt: 2 });
    expect(second.results[0]).toMatchObject({ status: 'ok' });
    expect(vendor.accepted).toHaveLength(1);
  });

  it('pauses the connector when SendGrid refuses the API key', async () => {
    vendor = await startFakeSendgrid({ apiKey });
    const run = await harness.destination('sendgrid', { config: config(vendor.url, { apiKey: 'SG.revoked-key.0000' }) }).send('send', [identify('ada@example.com')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining('SendGrid answered 401') });
  });

  it('fails the recipient SendGrid calls invalid and retries the others of the request', async () => {
    vendor = await startFakeSendgrid({ apiKey, invalidAddresses: ['bad@example.com'] });
    const destination = harness.destination('sendgrid', { config: config(vendor.url) });
    const run = await destination.send('send', [identify('a@example.com'), identify('bad@example.com'), identify('c@example.com')]);
    expect(run.results.map((result) => result.status)).toEqual(['retry', 'fail', 'retry']);
    expect(run.results[1]).toMatchObject({ reason: 'SendGrid refused this recipient: Does not contain a valid address. (personalizations.1.to.0.email)' });
    const again = await destination.send('send', [identify('a@example.com'), identify('c@example.com')], { attempt: 2 });
    expect(again.results.map((result) => result.status)).toEqual(['ok', 'ok']);
  });

  it("fails every item with SendGrid's message when a 400 is about the request as a whole", async () => {
    vendor = await startFakeSendgrid({ apiKey, templates: ['d-ffffffffffffffffffffffffffffffff'] });
    const run = await harness.destination('sendgrid', { config: config(vendor.url) }).send('send', [identify('a@example.com'), identify('b@example.com')]);
    expect(run.results.map((result) => result.status)).toEqual(['fail', 'fail']);
    expect(run.results[0]).toMatchObject({ reason: `SendGrid answered 400: The template_id must be a valid template of this account, you provided ${templateId} (template_id)` });
  });
});

describe('sendgrid check()', () => {
  it('passes with a key that may send mail', async () => {
    vendor = await startFakeSendgrid({ apiKey });
    expect(await harness.check('sendgrid', config(vendor.url))).toMatchObject({ ok: true });
  });

  it('reports a refused key in one line', async () => {
    vendor = await startFakeSendgrid({ apiKey });
    expect(await harness.check('sendgrid', config(vendor.url, { apiKey: 'SG.revoked-key.0000' }))).toMatchObject({
      ok: false,
      kind: 'auth',
      message: 'SendGrid refused the API key (401): check apiKey',
    });
  });

  it('reports a key without the Mail Send permission in one line', async () => {
    vendor = await startFakeSendgrid({ apiKey, scopes: ['stats.read'] });
    expect(await harness.check('sendgrid', config(vendor.url))).toMatchObject({ ok: false, kind: 'auth', message: expect.stringContaining('lacks the "Mail Send" permission') });
  });

  it('reports an unreachable API in one line', async () => {
    vendor = await startFakeSendgrid({ apiKey });
    const url = vendor.url;
    await vendor.close();
    vendor = undefined;
    expect(await harness.check('sendgrid', config(url))).toMatchObject({ ok: false, message: `could not reach SendGrid at ${new URL(url).host}: the connection was refused (nothing listens on that port) (ECONNREFUSED)` });
  });
});
