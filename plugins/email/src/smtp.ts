import { z } from 'zod';
import nodemailer from 'nodemailer';
import type { SMTPPoolOptions } from 'nodemailer/lib/smtp-pool';
import { defineAction, defineDestination, fail, ok, retry, secret, type DeliveryItem, type DeliveryResult, type PluginContext } from '@weft/plugin-sdk';
import { compileTemplate, templateProblem, type Template, type TemplateFormat } from './template.js';
import { messageFromEvent, messagePayloadSchema, type MessagePayload } from './message.js';
import { smtpError } from './smtp-errors.js';

const template = (format: TemplateFormat, what: string) =>
  z
    .string()
    .min(1)
    .superRefine((source, ctx) => {
      const problem = templateProblem(source);
      if (problem) ctx.addIssue({ code: 'custom', message: `the ${format} template ${problem}` });
    })
    .describe(what);

export const smtpConfigSchema = z
  .object({
    host: z.string().min(1).describe('SMTP relay host name or IP'),
    port: z.number().int().min(1).max(65_535).optional().describe('Default 465 when secure, else 587 (submission, STARTTLS); 25 for relays by IP'),
    secure: z.boolean().default(false).describe('TLS from the first byte (port 465); false upgrades with STARTTLS when the server offers it'),
    requireTLS: z.boolean().default(true).describe('Refuse to send (or log in) unless the connection is encrypted, even when secure is false'),
    tls: z
      .object({
        rejectUnauthorized: z.boolean().default(true).describe("Refuse a server certificate the system's (or `ca`'s) CAs do not trust"),
        ca: z.string().optional().describe('PEM of the CA (or self-signed certificate) that signed the server certificate, for private relays'),
        servername: z.string().optional().describe('Name the certificate must carry when `host` is an IP address or an alias'),
      })
      .default({ rejectUnauthorized: true }),
    auth: z
      .object({
        user: z.string().min(1).describe('SMTP login'),
        pass: secret('SMTP password or API key of the relay'),
      })
      .optional()
      .describe('Leave out for relays that accept mail without a login (by IP)'),
    from: z.string().min(3).describe('Sender, e.g. "Acme <hello@acme.example>"; the relay must allow it'),
    replyTo: z.string().min(3).optional().describe('Reply-To header'),
    subject: template('header', 'Subject template, e.g. "Welcome, {{traits.firstName ?? \\"friend\\"}}"'),
    text: template('text', 'Plain-text body template').optional(),
    html: template('html', 'HTML body template; values are HTML-escaped').optional(),
    pool: z
      .object({
        maxConnections: z.number().int().min(1).max(50).default(5).describe('SMTP connections kept open to the relay'),
        maxMessages: z.number().int().min(1).max(10_000).default(100).describe('Messages sent over one connection before it is renewed'),
      })
      .default({ maxConnections: 5, maxMessages: 100 }),
    timeoutMs: z.number().int().min(100).max(300_000).default(30_000).describe('How long connecting, the greeting and each reply may take'),
  })
  .refine((config) => config.text !== undefined || config.html !== undefined, { message: 'give a text or an html template (or both)', path: ['text'] });

export type SmtpConfig = z.output<typeof smtpConfigSchema>;
type Context = PluginContext<SmtpConfig>;

interface Mailer {
  transport: ReturnType<typeof nodemailer.createTransport>;
  subject: Template;
  text: Template | undefined;
  html: Template | undefined;
}

// The host hands a connector the same config object until the config changes: one pool per connector.
const mailers = new WeakMap<object, Mailer>();

/** The relay's address as errors name it: `host:port`, with the port the transport really uses. */
function serverOf(config: SmtpConfig) {
  return { host: config.host, port: config.port ?? (config.secure ? 465 : 587) };
}

function transportOptions(config: SmtpConfig): SMTPPoolOptions {
  return {
    ...serverOf(config),
    secure: config.secure,
    requireTLS: config.requireTLS,
    tls: { rejectUnauthorized: config.tls.rejectUnauthorized, ...(config.tls.ca ? { ca: config.tls.ca } : {}), ...(config.tls.servername ? { servername: config.tls.servername } : {}) },
    ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    // The idle-socket timer starts with the connection too: a little later than the greeting's,
    // so a relay that connects and says nothing is reported as not greeting, every time.
    socketTimeout: config.timeoutMs + 500,
    logger: false,
  };
}

/** The connector's pooled transport and compiled templates, created on first use and closed on shutdown or teardown. */
function mailerFor(ctx: Context): Mailer {
  let mailer = mailers.get(ctx.config);
  if (!mailer) {
    const { config } = ctx;
    const transport = nodemailer.createTransport({ ...transportOptions(config), pool: true, maxConnections: config.pool.maxConnections, maxMessages: config.pool.maxMessages });
    mailer = {
      transport,
      subject: compileTemplate(config.subject, 'header'),
      text: config.text === undefined ? undefined : compileTemplate(config.text, 'text'),
      html: config.html === undefined ? undefined : compileTemplate(config.html, 'html'),
    };
    mailers.set(config, mailer);
    ctx.signal.addEventListener('abort', () => closeMailer(ctx), { once: true });
  }
  return mailer;
}

function closeMailer(ctx: Context): void {
  mailers.get(ctx.config)?.transport.close();
  mailers.delete(ctx.config);
}

/**
 * Renders the message one payload becomes. The Message-ID derives from the idempotency key, so a
 * retried delivery carries the same id and receiving systems can tell it is one message.
 */
export function renderMessage(item: DeliveryItem<MessagePayload>, config: SmtpConfig, templates: Pick<Mailer, 'subject' | 'text' | 'html'>) {
  const { to, name, variables } = item.payload;
  const domain = /@([^\s>]+)/.exec(config.from)?.[1] ?? 'weft.invalid';
  return {
    from: config.from,
    to: name ? { name, address: to } : to,
    ...(config.replyTo ? { replyTo: config.replyTo } : {}),
    subject: templates.subject(variables),
    ...(templates.text ? { text: templates.text(variables) } : {}),
    ...(templates.html ? { html: templates.html(variables) } : {}),
    messageId: `<${item.idempotencyKey}@${domain}>`,
    headers: { 'X-Weft-Message-Id': item.messageId },
  };
}

/**
 * Sends every message of a batch at once through the pool. Each message has one recipient, so a
 * mailbox the server refuses fails that item alone. A refused login or a config problem pauses
 * the connector only when nothing got through; otherwise the refused items are retried.
 */
async function sendMessages(items: DeliveryItem<MessagePayload>[], ctx: Context): Promise<DeliveryResult[]> {
  const mailer = mailerFor(ctx);
  const server = serverOf(ctx.config);
  const outcomes = await Promise.allSettled(items.map((item) => mailer.transport.sendMail(renderMessage(item, ctx.config, mailer))));
  const errors = outcomes.map((outcome) => (outcome.status === 'rejected' ? smtpError(outcome.reason, server) : undefined));
  const pausing = errors.find((error) => error && (error.kind === 'auth' || error.kind === 'config'));
  if (pausing && outcomes.every((outcome) => outcome.status === 'rejected')) throw pausing;
  ctx.logger.debug('smtp batch sent', { host: server.host, items: items.length, failed: errors.filter(Boolean).length });
  return errors.map((error) => {
    if (!error) return ok();
    return error.kind === 'validation' ? fail(error.message) : retry(error.message);
  });
}

/** Opens one connection, logs in and closes it: `verify()` reports a refused login or an unreachable server. */
async function checkRelay(ctx: Context): Promise<void> {
  const transport = nodemailer.createTransport(transportOptions(ctx.config));
  try {
    await transport.verify();
  } catch (error) {
    throw smtpError(error, serverOf(ctx.config));
  } finally {
    transport.close();
  }
}

/**
 * Sends templated email through any SMTP relay (nodemailer, pooled connections).
 *
 * @example
 * // connector config
 * { "host": "smtp.example.com", "auth": { "user": "apikey", "pass": "…" }, "from": "Acme <hello@acme.example>",
 *   "subject": "Welcome, {{traits.firstName}}", "html": "<p>Hi {{traits.firstName ?? \"there\"}}</p>" }
 */
export const smtp = defineDestination({
  title: 'SMTP',
  description: 'Sends templated email (subject, text, HTML from profile traits) through an SMTP relay over pooled connections',
  config: smtpConfigSchema,
  check: checkRelay,
  teardown: closeMailer,
  actions: {
    send: defineAction(smtpConfigSchema, {
      title: 'Send email',
      description: "Sends the connector's templates to traits.email, one message per event",
      types: ['identify', 'track'],
      payload: messagePayloadSchema,
      defaultMapping: messageFromEvent,
      batch: { maxItems: 50 },
      performBatch: sendMessages,
    }),
  },
});
