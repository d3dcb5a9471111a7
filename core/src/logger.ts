import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '@weft/plugin-sdk';

export type { Pino };

/** The process logger (JSON lines on stdout). */
export function createLogger(level: string): Pino {
  return pino({ level, base: { service: 'weft' } });
}

/**
 * A plugin-facing logger bound to one connector. Any secret value of that connector that would
 * appear in a message or field is replaced by `[redacted]` before it is written.
 */
export function connectorLogger(base: Pino, connectorId: string, secretValues: string[]): Logger {
  const child = base.child({ connector: connectorId });
  const secrets = secretValues.filter((value) => value.length >= 4);
  const scrub = (text: string) => secrets.reduce((out, value) => out.split(value).join('[redacted]'), text);
  const scrubFields = (fields: Record<string, unknown> | undefined) =>
    fields === undefined || secrets.length === 0 ? fields : (JSON.parse(scrub(JSON.stringify(fields))) as Record<string, unknown>);
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    const clean = scrubFields(fields);
    if (clean) child[level](clean, scrub(message));
    else child[level](scrub(message));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
