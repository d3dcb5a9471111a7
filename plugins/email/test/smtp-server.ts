// A real SMTP server on 127.0.0.1 (the npm smtp-server package) that plays a relay for the tests:
// it checks the login, can refuse or defer chosen recipients, and keeps every message it accepts.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtpServerOptions {
  /** Accepted login; without it the server asks for none. */
  auth?: { user: string; pass: string };
  /** Recipients answered `550 5.1.1 mailbox unavailable`. */
  rejectRecipients?: string[];
  /** Recipients answered `451 4.3.0` the first time, accepted after. */
  deferOnce?: string[];
  /** TLS key and certificate (PEM) for STARTTLS; without it STARTTLS is not offered. */
  tls?: { key: string; cert: string };
}

export interface TestSmtpServer {
  host: string;
  port: number;
  messages: ReceivedMessage[];
  /** How many sessions logged in (a pooled client logs in once per connection). */
  logins: number;
  close(): Promise<void>;
}

export async function startSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const deferred = new Set<string>();
  const state = { messages: [] as ReceivedMessage[], logins: 0 };
  const serverOptions: SMTPServerOptions = {
    logger: false,
    authOptional: !options.auth,
    // Plain-text logins on a test server without TLS; the TLS test sets a certificate.
    allowInsecureAuth: true,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : { disabledCommands: ['STARTTLS'] }),
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        state.logins += 1;
        return callback(null, { user: auth.username });
      }
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const recipient = address.address.toLowerCase();
      if (options.rejectRecipients?.includes(recipient)) {
        return callback(Object.assign(new Error(`5.1.1 <${recipient}>: mailbox unavailable`), { responseCode: 550 }));
      }
      if (options.deferOnce?.includes(recipient) && !deferred.has(recipient)) {
        deferred.add(recipient);
        return callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = session.envelope;
        state.messages.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    get messages() {
      return state.messages;
    },
    get logins() {
      return state.logins;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A header of a raw message, unfolded. */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1];
}
