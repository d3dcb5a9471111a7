import { z } from 'zod';
import { defineTransform, ValidationError, type TransformResult, type WeftEvent } from '@weft/plugin-sdk';
import { compileExpression, describeJsonataError, syntaxError, type CompiledExpression } from './expression.js';

/** Recursion depth an expression may reach; deep enough for real mappings, shallow enough to stop runaway recursion. */
const MAX_DEPTH = 500;

export const transformConfigSchema = z.object({
  expression: z
    .string()
    .min(1, 'must be a JSONata expression')
    .superRefine((source, ctx) => {
      const error = syntaxError(source);
      if (error) ctx.addIssue({ code: 'custom', message: error });
    })
    .describe('JSONata expression evaluated with the event as input; returns the new event, an array of events, or nothing to drop it'),
  timeoutMs: z
    .number()
    .int()
    .min(10)
    .max(10_000)
    .default(1_000)
    .describe('Longest one evaluation may run before the event fails with a timeout'),
});

export type TransformConfig = z.output<typeof transformConfigSchema>;

/**
 * Runs a JSONata expression on every event. `undefined`/`null` drops the event, an object
 * replaces it, an array of objects splits it into several events.
 *
 * @example
 * // connector config
 * { "expression": "$merge([$, {\"properties\": $merge([properties, {\"source\": \"web\"}])}])" }
 */
export const transform = defineTransform({
  title: 'JSONata transform',
  description: 'Rewrites, enriches, drops or splits events with a JSONata expression',
  config: transformConfigSchema,
  prepare: (ctx) => compileExpression(ctx.config.expression, { timeoutMs: ctx.config.timeoutMs, maxDepth: MAX_DEPTH }),
  async transform(event, ctx) {
    const expression = ctx.prepared as CompiledExpression;
    let result: unknown;
    try {
      result = await expression.evaluate(event);
    } catch (error) {
      throw new ValidationError(`JSONata expression failed on event ${event.messageId}: ${describeJsonataError(error)}`);
    }
    return toEvents(result, event);
  },
});

/**
 * Checks what an expression returned and turns it into events. Outputs inherit the input's
 * `messageId`, `timestamp` and `receivedAt` when they do not set them; split outputs get
 * `<messageId>:<index>` so each stays unique for deduplication and idempotency keys.
 */
export function toEvents(result: unknown, input: WeftEvent): TransformResult {
  if (result === undefined || result === null) return null;
  if (Array.isArray(result)) {
    const nonObject = result.findIndex((item) => !isObject(item));
    if (nonObject !== -1) {
      throw new ValidationError(
        `JSONata expression returned an array whose item ${nonObject} is ${describeValue(result[nonObject])}; every item must be an event object`,
      );
    }
    if (result.length === 1) return inherit(result[0], input, input.messageId);
    return result.map((item, index) => inherit(item, input, `${input.messageId}:${index}`));
  }
  if (isObject(result)) return inherit(result, input, input.messageId);
  throw new ValidationError(
    `JSONata expression returned ${describeValue(result)}; it must return an event object, an array of event objects, or nothing to drop the event`,
  );
}

function inherit(output: Record<string, unknown>, input: WeftEvent, messageId: string): WeftEvent {
  // JSONata builds objects without a prototype and may leave functions or undefined in them;
  // a JSON round trip yields the plain data the event log stores.
  const plain = JSON.parse(JSON.stringify(output)) as Record<string, unknown>;
  return { messageId, timestamp: input.timestamp, receivedAt: input.receivedAt, ...plain } as WeftEvent;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (value === null || value === undefined) return String(value);
  const text = JSON.stringify(value);
  return `a ${typeof value} (${text.length > 60 ? `${text.slice(0, 60)}…` : text})`;
}
