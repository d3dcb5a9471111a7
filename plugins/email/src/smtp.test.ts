import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type ConnectorHarness } from '@weft/plugin-sdk/testing';
import plugin from './index.js';
import { header, startSmtpServer, type TestSmtpServer } from '../test/smtp-server.js';
import { selfSignedCertificate } from '../test/tls.js';

const login = { user: 'weft-relay', pass: 'relay-password-0123456789' };
const harness = createHarness(plugin);
let server: TestSmtpServer | undefined;
let connector: ConnectorHarness | undefined;

afterEach(async () => {
  await connector?.teardown();
  connector = undefined;
  await server?.close();
  server = undefined;
});

function config(relay: TestSmtpServer, extra: Record<string, unknown> = {}) {
  return {
    host: relay.host,
    port: relay.port,
    requireTLS: false,
    auth: login,
    from: 'Acme <hello@acme.test>',
    subject: 'Welcome, {{traits.firstName ?? "friend"}}',
    text: 'Hi {{traits.firstName}}, your plan is {{traits.plan ?? "free"}}.',
    html: '<p>Hi {{traits.firstName}}</p>',
    timeoutMs: 2_000,
    ...extra,
  };
}

function identify(email: string, traits: Record<string, unknown> = {}) {
  return { type: 'identify' as const, userId: `u-${email}`, traits: { email, ...traits } };
}

function open(extra: Record<string, unknown> = {}) {
  connector = harness.destination('smtp', { config: config(server!, extra) });
  return connector as ReturnType<typeof harness.destination>;
}

describe('smtp destination', () => {
  it('sends the templated message to traits.email, HTML-escaping trait values', async () => {
    server = await startSmtpServer({ auth: login });
    const run = await open().send('send', [identify('ada@example.com', { firstName: '<Ada>', plan: 'pro' })]);
    expect(run.results.map((result) => result.status)).toEqual(['ok']);
    const [message] = server.messages;
    expect(message!.to).toEqual(['ada@example.com']);
    expect(message!.from).toBe('hello@acme.test');
    expect(header(message!.raw, 'Subject')).toBe('Welcome, <Ada>');
    expect(message!.raw).toContain('Hi <Ada>, your plan is pro.');
    expect(message!.raw).toContain('<p>Hi &lt;Ada&gt;</p>');
    expect(header(message!.raw, 'Message-ID')).toBe(`<${run.results[0]!.idempotencyKey}@acme.test>`);
  });

  it('fills a missing trait with its fallback', async () => {
    server = await startSmtpServer({ auth: login });
    await open().send('send', [identify('bob@example.com')]);
    expect(header(server.messages[0]!.raw, 'Subject')).toBe('Welcome, friend');
  });

  it('fails only the message whose mailbox the server refuses with 550', async () => {
    server = await startSmtpServer({ auth: login, rejectRecipients: ['gone@example.com'] });
    const run = await open().send('send', [identify('a@example.com'), identify('gone@example.com'), identify('c@example.com')]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'fail', 'ok']);
    expect(run.results[1]).toMatchObject({ reason: expect.stringContaining('550 5.1.1 <gone@example.com>: mailbox unavailable') });
    expect(server.messages.map((message) => message.to[0]).sort()).toEqual(['a@example.com', 'c@example.com']);
  });

  it('retries a message the server defers with 451 and delivers it on the next attempt', async () => {
    server = await startSmtpServer({ auth: login, deferOnce: ['later@example.com'] });
    const destination = open();
    const first = await destination.send('send', [identify('later@example.com')]);
    expect(first.results[0]).toMatchObject({ status: 'retry', reason: expect.stringContaining('451 4.3.0 Try again later') });
    const second = await destination.send('send', [identify('later@example.com')], { attempt: 2 });
    expect(second.results[0]).toMatchObject({ status: 'ok' });
    expect(server.messages).toHaveLength(1);
  });

  it('pauses the connector when the server refuses the login (535), without showing the password', async () => {
    server = await startSmtpServer({ auth: login });
    const run = await open({ auth: { user: login.user, pass: 'wrong-password-0123456789' } }).send('send', [identify('a@example.com'), identify('b@example.com')]);
    expect(run.results.map((result) => result.status)).toEqual(['pause', 'pause']);
    expect(run.results[0]).toMatchObject({ reason: expect.stringMatching(/refused the login \(535 5\.7\.8 .*\): check auth\.user and auth\.pass/) });
    expect(JSON.stringify(run)).not.toContain('wrong-password-0123456789');
  });

  it('retries when the relay accepts the connection but never greets', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      // Long enough that a loaded machine still connects well within it: the greeting is what never comes.
      connector = harness.destination('smtp', { config: config({ host: '127.0.0.1', port } as TestSmtpServer, { timeoutMs: 1_000 }) });
      const run = await (connector as ReturnType<typeof harness.destination>).send('send', [identify('a@example.com')]);
      expect(run.results[0]).toMatchObject({ status: 'retry', reason: `SMTP server 127.0.0.1:${port} is unreachable (timed out waiting for the greeting)` });
    } finally {
      silent.close();
    }
  });

  it('keeps one pooled connection per connector across batches', async () => {
    server = await startSmtpServer({ auth: login });
    const destination = open({ pool: { maxConnections: 1, maxMessages: 100 } });
    await destination.send('send', [identify('a@example.com'), identify('b@example.com')]);
    await destination.send('send', [identify('c@example.com')]);
    expect(server.messages).toHaveLength(3);
    expect(server.logins).toBe(1);
  });

  it('dead-letters an event without traits.email before it reaches the server', async () => {
    server = await startSmtpServer({ auth: login });
    const run = await open().send('send', [{ type: 'identify', userId: 'u1', traits: { firstName: 'Ada' } }]);
    expect(run.results[0]).toMatchObject({ status: 'fail', reason: expect.stringContaining('to: must be an email address') });
    expect(server.messages).toHaveLength(0);
  });

  it('refuses a config whose template has a broken placeholder', () => {
    expect(() => harness.destination('smtp', { config: { ...config({ host: '127.0.0.1', port: 25 } as TestSmtpServer), subject: 'Hi {{traits.first name}}' } })).toThrow(
      /subject.*not a placeholder/,
    );
  });
});

describe('smtp over TLS', () => {
  const certificate = selfSignedCertificate();

  it('upgrades with STARTTLS and sends when the certificate is trusted through tls.ca', async () => {
    server = await startSmtpServer({ auth: login, tls: certificate });
    const run = await open({ requireTLS: true, tls: { rejectUnauthorized: true, ca: certificate.cert } }).send('send', [identify('tls@example.com')]);
    expect(run.results[0]).toMatchObject({ status: 'ok' });
    expect(server.messages).toHaveLength(1);
  });

  it('pauses the connector when the certificate is not trusted', async () => {
    server = await startSmtpServer({ auth: login, tls: certificate });
    const run = await open({ requireTLS: true }).send('send', [identify('tls@example.com')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining('certificate that is not trusted') });
    expect(server.messages).toHaveLength(0);
  });

  it('sends to a test relay with a self-signed certificate when tls.rejectUnauthorized is false', async () => {
    server = await startSmtpServer({ auth: login, tls: certificate });
    const run = await open({ requireTLS: true, tls: { rejectUnauthorized: false } }).send('send', [identify('tls@example.com')]);
    expect(run.results[0]).toMatchObject({ status: 'ok' });
  });

  it('refuses to send over a plain connection when requireTLS is set', async () => {
    server = await startSmtpServer({ auth: login });
    const run = await open({ requireTLS: true }).send('send', [identify('plain@example.com')]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining('does not offer TLS') });
  });
});

describe('smtp check()', () => {
  it('passes when the server accepts the login', async () => {
    server = await startSmtpServer({ auth: login });
    expect(await harness.check('smtp', config(server))).toMatchObject({ ok: true });
  });

  it('reports refused credentials in one line', async () => {
    server = await startSmtpServer({ auth: login });
    const outcome = await harness.check('smtp', config(server, { auth: { user: login.user, pass: 'wrong-password-0123456789' } }));
    expect(outcome).toMatchObject({ ok: false, kind: 'auth' });
    const message = (outcome as { message: string }).message;
    expect(message).toBe(`SMTP server 127.0.0.1:${server.port} refused the login (535 5.7.8 Authentication credentials invalid): check auth.user and auth.pass`);
  });

  it('reports an unreachable server in one line', async () => {
    server = await startSmtpServer({ auth: login });
    const port = server.port;
    await server.close();
    server = undefined;
    const outcome = await harness.check('smtp', config({ host: '127.0.0.1', port } as TestSmtpServer));
    expect(outcome).toMatchObject({ ok: false, kind: 'transient', message: `SMTP server 127.0.0.1:${port} is unreachable (connection refused)` });
  });
});
