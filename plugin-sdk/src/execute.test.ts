import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fail, ok, retry, type DeliveryItem, type DestinationAction, type IdentityMerge } from './components.js';
import { AuthError, ConfigError, RateLimitedError, TransientError, ValidationError } from './errors.js';
import { buildPayload, idempotencyKey, notifyIdentityMerge, performAction, resultFromError, splitIntoBatches } from './execute.js';
import { createTestContext } from './testing/context.js';
import { makeEvent } from './testing/connector.js';

const context = () => createTestContext({ config: {}, connector: { id: 'c1', name: 'c1', plugin: 'p', component: 'd' }, timeoutMs: 1_000 }).context;

const items = <Payload>(...payloads: Payload[]): DeliveryItem<Payload>[] =>
  payloads.map((payload, index) => ({ payload, messageId: `m${index + 1}`, idempotencyKey: `k${index + 1}`, attempt: 1 }));

const ids = (batches: DeliveryItem<unknown>[][]) => batches.map((batch) => batch.map((item) => item.messageId));

/** An error as another copy of the SDK would make it: same shape, different class. */
const foreignError = (kind: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`foreign ${kind}`), { kind, ...extra });

describe('idempotencyKey', () => {
  it('is stable for the same connector, action and event', () => {
    const key = idempotencyKey({ connectorId: 'crm', action: 'upsert', messageId: 'm-1' });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyKey({ connectorId: 'crm', action: 'upsert', messageId: 'm-1' })).toBe(key);
  });

  it('differs when any of the three differs, even if their concatenation does not', () => {
    const keys = new Set([
      idempotencyKey({ connectorId: 'crm', action: 'upsert', messageId: 'm-1' }),
      idempotencyKey({ connectorId: 'crm2', action: 'upsert', messageId: 'm-1' }),
      idempotencyKey({ connectorId: 'crm', action: 'upsert2', messageId: 'm-1' }),
      idempotencyKey({ connectorId: 'crm', action: 'upsert', messageId: 'm-2' }),
      idempotencyKey({ connectorId: 'cr', action: 'mupsert', messageId: 'm-1' }),
    ]);
    expect(keys.size).toBe(5);
  });
});

describe('buildPayload', () => {
  const action = {
    payload: z.object({ email: z.email(), plan: z.string().default('free') }),
    defaultMapping: (event: { traits?: Record<string, unknown> | null }) => ({ email: event.traits?.['email'] }),
  };

  it('maps the event with the default mapping and applies the schema (defaults included)', () => {
    const event = makeEvent({ type: 'identify', userId: 'u1', traits: { email: 'ada@example.com' } });
    expect(buildPayload(action, event)).toEqual({ ok: true, payload: { email: 'ada@example.com', plan: 'free' } });
  });

  it('validates an already mapped value instead when one is given', () => {
    const event = makeEvent({ type: 'identify', userId: 'u1' });
    expect(buildPayload(action, event, { email: 'grace@example.com', plan: 'pro' })).toEqual({ ok: true, payload: { email: 'grace@example.com', plan: 'pro' } });
  });

  it('names every field that does not match', () => {
    const event = makeEvent({ type: 'identify', userId: 'u1', traits: { email: 'not-an-email' } });
    const built = buildPayload(action, event, { email: 'not-an-email', plan: 3 });
    expect(built).toEqual({ ok: false, reason: expect.stringMatching(/^payload does not match the action's schema: email: .+; plan: .+$/) });
  });

  it('says "(payload)" when the whole value is wrong', () => {
    expect(buildPayload(action, makeEvent({ type: 'page', userId: 'u1' }), 'text')).toEqual({ ok: false, reason: expect.stringContaining('(payload): ') });
  });
});

describe('splitIntoBatches', () => {
  it('gives each item its own batch when the action does not batch', () => {
    expect(ids(splitIntoBatches(items(1, 2, 3), undefined))).toEqual([['m1'], ['m2'], ['m3']]);
  });

  it('cuts at maxItems, keeping order', () => {
    expect(ids(splitIntoBatches(items(1, 2, 3, 4, 5), { maxItems: 2 }))).toEqual([['m1', 'm2'], ['m3', 'm4'], ['m5']]);
  });

  it('cuts before a batch would pass maxBytes of JSON payloads', () => {
    const payloads = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)]; // 42 bytes of JSON each
    expect(ids(splitIntoBatches(items(...payloads), { maxItems: 10, maxBytes: 90 }))).toEqual([['m1', 'm2'], ['m3']]);
    expect(ids(splitIntoBatches(items(...payloads), { maxItems: 10, maxBytes: 84 }))).toEqual([['m1', 'm2'], ['m3']]);
    expect(ids(splitIntoBatches(items(...payloads), { maxItems: 10, maxBytes: 83 }))).toEqual([['m1'], ['m2'], ['m3']]);
  });

  it('still sends a single item larger than maxBytes, alone', () => {
    expect(ids(splitIntoBatches(items('small', 'x'.repeat(500), 'tiny'), { maxItems: 10, maxBytes: 100 }))).toEqual([['m1'], ['m2'], ['m3']]);
  });

  it('never mixes batch keys, and keeps order within each key', () => {
    const payloads = [{ list: 'a' }, { list: 'b' }, { list: 'a' }, { list: 'b' }, { list: 'a' }];
    const batches = splitIntoBatches(items(...payloads), { maxItems: 2, key: (payload) => payload.list });
    expect(ids(batches)).toEqual([['m1', 'm3'], ['m5'], ['m2', 'm4']]);
  });

  it('returns no batch for no items', () => {
    expect(splitIntoBatches([], { maxItems: 5 })).toEqual([]);
  });
});

describe('performAction', () => {
  type Action = Pick<DestinationAction<Record<string, unknown>>, 'perform' | 'performBatch'>;

  it('prefers performBatch and returns its results in order', async () => {
    const calls: string[] = [];
    const action: Action = {
      perform: () => {
        calls.push('perform');
      },
      performBatch: (batch) => {
        calls.push(`batch of ${batch.length}`);
        return batch.map((item) => (item.payload === 2 ? fail('refused') : ok({ id: item.messageId })));
      },
    };
    expect(await performAction(action, items(1, 2, 3), context())).toEqual([ok({ id: 'm1' }), fail('refused'), ok({ id: 'm3' })]);
    expect(calls).toEqual(['batch of 3']);
  });

  it('calls perform once per item otherwise, treating no return value as ok', async () => {
    const seen: unknown[] = [];
    const action: Action = {
      perform: (item) => {
        seen.push(item.payload);
        return item.payload === 'slow' ? retry('busy', 1_000) : undefined;
      },
    };
    expect(await performAction(action, items('a', 'slow', 'c'), context())).toEqual([ok(), retry('busy', 1_000), ok()]);
    expect(seen).toEqual(['a', 'slow', 'c']);
  });

  it('retries the whole batch when performBatch returns the wrong number of results', async () => {
    const action: Action = { performBatch: () => [ok()] };
    expect(await performAction(action, items(1, 2, 3), context())).toEqual(
      Array(3).fill({ status: 'retry', reason: 'plugin returned 1 results for 3 items' }),
    );
  });

  it('retries the whole batch when performBatch returns no array at all', async () => {
    const action = { performBatch: () => undefined } as unknown as Action;
    expect(await performAction(action, items(1, 2), context())).toEqual(Array(2).fill({ status: 'retry', reason: 'plugin returned no results for 2 items' }));
  });

  it('retries an item whose result is not one the host knows', async () => {
    const action = { perform: () => ({ status: 'done' }) } as unknown as Action;
    expect(await performAction(action, items(1), context())).toEqual([{ status: 'retry', reason: 'plugin returned an unknown result {"status":"done"}' }]);
  });

  it('classifies what performBatch throws for every item of the batch', async () => {
    const action: Action = {
      performBatch: () => {
        throw new RateLimitedError('slow down', { retryAfterMs: 7_000 });
      },
    };
    expect(await performAction(action, items(1, 2), context())).toEqual(Array(2).fill({ status: 'retry', reason: 'slow down', retryAfterMs: 7_000 }));
  });

  it('stops calling perform once an item says the connector must pause', async () => {
    let calls = 0;
    const action: Action = {
      perform: () => {
        calls += 1;
        throw new AuthError('token revoked');
      },
    };
    expect(await performAction(action, items(1, 2, 3), context())).toEqual(Array(3).fill({ status: 'pause', reason: 'token revoked' }));
    expect(calls).toBe(1);
  });

  it('keeps calling perform after an item fails for good', async () => {
    const action: Action = {
      perform: (item) => {
        if (item.payload === 'bad') throw new ValidationError('unknown recipient');
      },
    };
    expect(await performAction(action, items('bad', 'good'), context())).toEqual([fail('unknown recipient'), ok()]);
  });

  it('fails every item of an action that has neither perform nor performBatch', async () => {
    expect(await performAction({}, items(1), context())).toEqual([fail('action has neither perform nor performBatch')]);
  });

  it('makes no call for no items', async () => {
    const action: Action = {
      performBatch: () => {
        throw new Error('must not be called');
      },
    };
    expect(await performAction(action, [], context())).toEqual([]);
  });
});

describe('notifyIdentityMerge', () => {
  const merge: IdentityMerge = { survivorId: 'prf_a', mergedIds: ['prf_b'], rule: 'event', at: '2026-01-31T12:00:00.000Z' };

  it('calls onIdentityMerge with the item and the context, treating no return value as ok', async () => {
    const seen: Array<[IdentityMerge, string, string]> = [];
    const component = {
      onIdentityMerge(item: DeliveryItem<IdentityMerge>, ctx: { connector: { id: string } }) {
        seen.push([item.payload, item.idempotencyKey, ctx.connector.id]);
      },
    };
    expect(await notifyIdentityMerge(component, items(merge), context())).toEqual([ok()]);
    expect(seen).toEqual([[merge, 'k1', 'c1']]);
  });

  it('classifies what it returns and throws as performAction does for perform', async () => {
    const throwing = (error: Error) => ({
      onIdentityMerge() {
        throw error;
      },
    });
    expect(await notifyIdentityMerge({ onIdentityMerge: () => retry('busy', 500) }, items(merge), context())).toEqual([retry('busy', 500)]);
    expect(await notifyIdentityMerge(throwing(new TransientError('503')), items(merge), context())).toEqual([{ status: 'retry', reason: '503' }]);
    expect(await notifyIdentityMerge(throwing(new ValidationError('unknown contact')), items(merge), context())).toEqual([fail('unknown contact')]);
    expect(await notifyIdentityMerge(throwing(new AuthError('token revoked')), items(merge, merge), context())).toEqual(Array(2).fill({ status: 'pause', reason: 'token revoked' }));
  });

  it('fails the items of a destination without the hook, naming the plugin and component', async () => {
    expect(await notifyIdentityMerge({}, items(merge), context())).toEqual([
      fail("the destination 'p/d' does not implement onIdentityMerge (any more), so it cannot be told about this merge"),
    ]);
  });
});

describe('resultFromError', () => {
  it.each([
    ['AuthError', new AuthError('token revoked'), { status: 'pause', reason: 'token revoked' }],
    ['ConfigError', new ConfigError('unknown region'), { status: 'pause', reason: 'unknown region' }],
    ['ValidationError', new ValidationError('bad email'), { status: 'fail', reason: 'bad email' }],
    ['RateLimitedError', new RateLimitedError('slow', { retryAfterMs: 3_000 }), { status: 'retry', reason: 'slow', retryAfterMs: 3_000 }],
    ['TransientError', new TransientError('down'), { status: 'retry', reason: 'down' }],
    ['TransientError with a delay', new TransientError('down', { retryAfterMs: 10 }), { status: 'retry', reason: 'down', retryAfterMs: 10 }],
  ])('classifies an %s', (_name, error, expected) => {
    expect(resultFromError(error)).toEqual(expected);
  });

  it.each([
    ['auth', { status: 'pause', reason: 'foreign auth' }],
    ['config', { status: 'pause', reason: 'foreign config' }],
    ['validation', { status: 'fail', reason: 'foreign validation' }],
    ['transient', { status: 'retry', reason: 'foreign transient' }],
  ])("classifies a %s error from another copy of the SDK by its shape", (kind, expected) => {
    expect(resultFromError(foreignError(kind))).toEqual(expected);
  });

  it("keeps a foreign rate-limited error's retryAfterMs", () => {
    expect(resultFromError(foreignError('rate-limited', { retryAfterMs: 2_000 }))).toEqual({ status: 'retry', reason: 'foreign rate-limited', retryAfterMs: 2_000 });
  });

  it('retries anything unclassified, naming the error type when it is not a plain Error', () => {
    expect(resultFromError(new Error('socket hang up'))).toEqual({ status: 'retry', reason: 'socket hang up' });
    expect(resultFromError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toEqual({
      status: 'retry',
      reason: "TypeError: Cannot read properties of undefined (reading 'id')",
    });
    expect(resultFromError('a thrown string')).toEqual({ status: 'retry', reason: 'a thrown string' });
  });
});
