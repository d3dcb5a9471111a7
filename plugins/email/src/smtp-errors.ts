import { AuthError, ConfigError, TransientError, ValidationError, type PluginError } from '@weft/plugin-sdk';
import type { NodemailerError } from 'nodemailer';

/** Node's codes for a certificate the client does not trust: a config problem, not a passing one. */
const certificateCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Reply codes that say the login itself was refused or is missing (RFC 4954). */
const authReplyCodes = new Set([530, 534, 535, 538]);

export interface SmtpServerName {
  host: string;
  port: number;
}

/**
 * Turns a nodemailer error into the SDK error the host acts on, in one line naming the server:
 * a refused login (535, 530) pauses the connector (`AuthError`); an untrusted certificate, a
 * refused sender or a server that does not offer TLS pauses it too (`ConfigError`); a 4xx reply
 * or a network failure is retried (`TransientError`); any other 5xx reply fails that message
 * (`ValidationError`, e.g. 550 no such mailbox).
 *
 * @example
 * smtpError(Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535 }), { host: 'smtp.example.com', port: 587 })
 * // AuthError: SMTP server smtp.example.com:587 refused the login (535 …): check auth.user and auth.pass
 */
export function smtpError(error: unknown, server: SmtpServerName): PluginError {
  const failure = (error ?? {}) as NodemailerError;
  const where = `SMTP server ${server.host}:${server.port}`;
  const reply = failure.response ? oneLine(failure.response) : undefined;
  const code = failure.responseCode;
  if (failure.code === 'EAUTH' || (code !== undefined && authReplyCodes.has(code))) {
    const detail = reply ?? oneLine(failure.message ?? 'no reply');
    return new AuthError(`${where} refused the login (${detail}): check auth.user and auth.pass`, { cause: error });
  }
  const systemCode = failure.originalCode ?? failure.code;
  if (systemCode && certificateCodes.has(systemCode)) {
    return new ConfigError(`${where} presented a certificate that is not trusted (${systemCode}): set tls.ca to its CA, or tls.rejectUnauthorized to false for a test relay`, {
      cause: error,
    });
  }
  if (failure.command === 'STARTTLS' || failure.code === 'ETLS') {
    return new ConfigError(`${where} does not offer TLS (${reply ?? oneLine(failure.message ?? '')}): set requireTLS to false only for a trusted relay`, { cause: error });
  }
  if (code !== undefined) {
    const refused = `${where} answered ${failure.command ?? 'the message'} with ${reply ?? code}`;
    if (!failure.permanent) return new TransientError(refused, { cause: error });
    if (failure.command === 'MAIL FROM' && code !== 552) return new ConfigError(`${refused}: the server refuses the 'from' address`, { cause: error });
    return new ValidationError(refused, { cause: error });
  }
  if (failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE') {
    return new ValidationError(`${where} cannot take this message: ${oneLine(failure.message ?? '')}`, { cause: error });
  }
  return new TransientError(`${where} is unreachable (${describeNetworkFailure(failure)})`, { cause: error });
}

const timeoutWaits: Record<string, string> = {
  CONNECT_TIMEOUT: 'timed out connecting',
  GREETING_TIMEOUT: 'timed out waiting for the greeting',
  UPGRADE_TIMEOUT: 'timed out upgrading to TLS',
  SOCKET_TIMEOUT: 'timed out waiting for a reply',
};

function describeNetworkFailure(failure: NodemailerError): string {
  const code = failure.originalCode ?? failure.code;
  if (failure.timeoutType) return timeoutWaits[failure.timeoutType] ?? 'timed out';
  if (code === 'ETIMEDOUT') return 'timed out';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EDNS') return 'host not found';
  return code ? `${code}: ${oneLine(failure.message ?? '')}` : oneLine(failure.message ?? String(failure));
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
