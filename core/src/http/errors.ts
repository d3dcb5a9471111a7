import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { WeftError } from '../errors.js';
import type { Pino } from '../logger.js';

/** The JSON body of every error answer: `{ error: { code, message, issues? } }`. */
export function errorBody(code: string, message: string, issues?: Array<{ path: string; message: string }>) {
  return { error: { code, message, ...(issues && issues.length > 0 ? { issues } : {}) } };
}

/** Hono `onError`: known errors keep their status and words; anything else is a logged 500 with no stack in the body. */
export function handleError(logger: Pino) {
  return (error: Error, c: Context) => {
    if (error instanceof WeftError) return c.json(errorBody(error.code, error.message, error.issues), error.status as 400);
    if (error instanceof HTTPException) {
      return c.json(errorBody(error.status === 413 ? 'too_large' : 'http_error', error.message || 'Request failed'), error.status);
    }
    logger.error({ err: error, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'Internal error; the server log has the details'), 500);
  };
}
