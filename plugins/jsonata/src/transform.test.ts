import { describe, expect, it } from 'vitest';
import type { WeftEvent } from '@weft/plugin-sdk';
import { createHarness } from '@weft/plugin-sdk/testing';
import plugin, { transform, transformConfigSchema } from './index.js';

const harness = createHarness(plugin);

function event(fields: Partial<WeftEvent> = {}): WeftEvent {
  return {
    type: 'track',
    messageId: 'm-1',
    event: 'Order Completed',
    userId: 'u-1',
    properties: { orderId: 'o-9', products: [{ sku: 'A', price: 10 }, { sku: 'B', price: 5 }] },
    timestamp: '2025-01-02T03:04:05.000Z',
    receivedAt: '2025-01-02T03:04:06.000Z',
    ...fields,
  };
}

/** Parses the config, prepares and transforms exactly as the pipeline worker does; returns what `transform` returned. */
async function run(config: Record<string, unknown>, input: WeftEvent) {
  return (await harness.transform('transform', { config }).run(input)).result;
}

/** The input event as the transform sees it: an already ingested event passes through unchanged. */
function seen(fields: Partial<WeftEvent> = {}) {
  return event(fields);
}

describe('jsonata transform config', () => {
  it('rejects an expression that does not compile, with the JSONata message and position', () => {
    const result = transformConfigSchema.safeParse({ expression: '$merge([$, {"a": 1}' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({
      path: ['expression'],
      message: 'JSONata syntax error: Expected "]" before end of expression (S0203 at character 19)',
    });
  });

  it('accepts a compiling expression and defaults the timeout', () => {
    expect(transformConfigSchema.parse({ expression: '$' })).toEqual({ expression: '$', timeoutMs: 1000 });
  });

  it('is the transform component of the jsonata plugin', () => {
    expect(plugin.id).toBe('jsonata');
    expect(plugin.components.transform).toBe(transform);
  });
});

describe('jsonata transform', () => {
  it('adds a property', async () => {
    const result = await run({ expression: '$merge([$, {"properties": $merge([properties, {"source": "web"}])}])' }, event());
    expect(result).toEqual(seen({ properties: { ...event().properties, source: 'web' } }));
  });

  it('renames an event and a property', async () => {
    const expression = `$ ~> |$| {"event": event = "Order Completed" ? "purchase" : event}|
                         ~> |properties| {"order_id": orderId}, ["orderId"]|`;
    const result = (await run({ expression }, event())) as WeftEvent;
    expect(result.event).toBe('purchase');
    expect(result.properties).toEqual({ order_id: 'o-9', products: event().properties!.products });
  });

  it('drops events of test users and keeps the others', async () => {
    const expression = '$contains(userId, /^test-/) ? null : $';
    expect(await run({ expression }, event({ userId: 'test-42' }))).toBeNull();
    expect(await run({ expression }, event({ userId: 'u-1' }))).toEqual(seen());
  });

  it('drops an event when the expression returns nothing', async () => {
    expect(await run({ expression: 'properties.missing' }, event())).toBeNull();
  });

  it('splits an order into one event per product, each with its own messageId', async () => {
    const expression = 'properties.products.{"type": "track", "event": "Product Purchased", "userId": $$.userId, "properties": $}';
    const result = await run({ expression }, event());
    expect(result).toEqual([
      { type: 'track', event: 'Product Purchased', userId: 'u-1', properties: { sku: 'A', price: 10 }, messageId: 'm-1:0', timestamp: event().timestamp, receivedAt: expect.any(String) },
      { type: 'track', event: 'Product Purchased', userId: 'u-1', properties: { sku: 'B', price: 5 }, messageId: 'm-1:1', timestamp: event().timestamp, receivedAt: expect.any(String) },
    ]);
  });

  it('lets an output set its own messageId', async () => {
    const result = await run({ expression: '$merge([$, {"messageId": "custom"}])' }, event());
    expect((result as WeftEvent).messageId).toBe('custom');
  });

  it('offers JSONata functions such as $now()', async () => {
    const before = Date.now();
    const result = (await run({ expression: '$merge([$, {"context": {"transformedAt": $now()}}])' }, event())) as WeftEvent;
    const stamped = Date.parse(result.context!.transformedAt as string);
    expect(stamped).toBeGreaterThanOrEqual(before - 1);
    expect(stamped).toBeLessThanOrEqual(Date.now());
  });

  it('fails clearly when the expression returns something that is not an event', async () => {
    await expect(run({ expression: 'event' }, event())).rejects.toMatchObject({
      kind: 'validation',
      message: 'JSONata expression returned a string ("Order Completed"); it must return an event object, an array of event objects, or nothing to drop the event',
    });
  });

  it('fails clearly when an array item is not an event', async () => {
    await expect(run({ expression: '[$, 3]' }, event())).rejects.toMatchObject({
      kind: 'validation',
      message: 'JSONata expression returned an array whose item 1 is a number (3); every item must be an event object',
    });
  });

  it('reports an evaluation error with the event, the JSONata message and position', async () => {
    await expect(run({ expression: 'properties.orderId + 1' }, event())).rejects.toMatchObject({
      kind: 'validation',
      message: 'JSONata expression failed on event m-1: The left side of the "+" operator must evaluate to a number (T2001 at character 20)',
    });
  });

  it('stops a runaway recursion at the configured timeout', async () => {
    const expression = '($loop := function($n) { $loop($n + 1) }; $loop(0))';
    await expect(run({ expression, timeoutMs: 50 }, event())).rejects.toMatchObject({ kind: 'validation', message: expect.stringMatching(/D1012|U1001/) });
  });
});
