import { ConfigError, TransientError } from '@weft/plugin-sdk';

/**
 * One line for a `fetch` that never got an answer: DNS, refused connection, TLS, timeout.
 * A name that does not resolve is a config problem; anything else may pass.
 */
export function fetchFailure(error: unknown, url: URL, vendor: string): ConfigError | TransientError {
  const cause = (error as { cause?: { code?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  const name = (error as Error)?.name;
  const what =
    name === 'TimeoutError' ? (error as Error).message
    : code === 'ENOTFOUND' ? 'host not found'
    : code === 'ECONNREFUSED' ? 'connection refused'
    : code ?? (error as Error)?.message ?? String(error);
  const message = `${vendor} at ${url.host} is unreachable (${what})`;
  return code === 'ENOTFOUND' ? new ConfigError(message, { cause: error }) : new TransientError(message, { cause: error });
}
