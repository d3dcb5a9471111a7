import { describe, expect, it } from 'vitest';
import { eventsFromBody, normalizeEvent } from './normalize.js';

const receivedAt = new Date('2024-06-01T12:00:00.000Z');

function normalized(input: Record<string, unknown>, type?: 'track' | 'identify') {
  const result = normalizeEvent(input, { receivedAt, type });
  if (result.issues) throw new Error(JSON.stringify(result.issues));
  return result.event;
}

describe('normalizeEvent', () => {
  it('corrects clock skew from sentAt and originalTimestamp, keeping originalTimestamp', () => {
    const event = normalized({ type: 'track', event: 'E', userId: 'u', originalTimestamp: '2030-01-01T00:00:00.000Z', sentAt: '2030-01-01T00:00:02.500Z' });
    expect(event.timestamp).toBe('2024-06-01T11:59:57.500Z');
    expect(event.originalTimestamp).toBe('2030-01-01T00:00:00.000Z');
    expect(event.receivedAt).toBe('2024-06-01T12:00:00.000Z');
  });

  it('treats a client timestamp sent with sentAt as the original time and corrects it', () => {
    const event = normalized({ type: 'track', event: 'E', userId: 'u', timestamp: '2024-06-01T13:00:00.000Z', sentAt: '2024-06-01T13:00:01.000Z' });
    expect(event.timestamp).toBe('2024-06-01T11:59:59.000Z');
    expect(event.originalTimestamp).toBe('2024-06-01T13:00:00.000Z');
  });

  it('keeps a lone timestamp as given (a server-side backfill)', () => {
    expect(normalized({ type: 'track', event: 'E', userId: 'u', timestamp: '2012-12-02T00:30:08.276Z' }).timestamp).toBe('2012-12-02T00:30:08.276Z');
  });

  it('dates an event without client times at its arrival', () => {
    expect(normalized({ type: 'track', event: 'E', userId: 'u' }).timestamp).toBe('2024-06-01T12:00:00.000Z');
  });

  it('keeps the client time when the correction would leave the years 1 to 9999', () => {
    const event = normalized({ type: 'track', event: 'E', userId: 'u', originalTimestamp: '0001-01-01T00:00:00.000Z', sentAt: '9999-12-31T00:00:00.000Z' });
    expect(event.timestamp).toBe('0001-01-01T00:00:00.000Z');
  });

  it('writes every client date as ISO-8601 UTC, rolling over the ones Date does (Feb 30, 24:00)', () => {
    const event = normalized({
      type: 'track',
      event: 'E',
      userId: 'u',
      timestamp: '2024-02-30T10:00:00.000Z',
      originalTimestamp: '2024-01-31T24:00:00.000Z',
      sentAt: 1_700_000_000_000,
    });
    expect(event.originalTimestamp).toBe('2024-02-01T00:00:00.000Z');
    expect(event.sentAt).toBe('2023-11-14T22:13:20.000Z');
    expect(normalized({ type: 'track', event: 'E', userId: 'u', timestamp: '2024-02-29T10:00:00+02:00' }).timestamp).toBe('2024-02-29T08:00:00.000Z');
    expect(normalized({ type: 'track', event: 'E', userId: 'u', timestamp: '2024-02-30T10:00:00.000Z' }).timestamp).toBe('2024-03-01T10:00:00.000Z');
  });

  it('reads Segment’s single-digit-month dates as ISO-8601', () => {
    expect(normalized({ type: 'track', event: 'E', userId: 'u', timestamp: '2015-2-02T00:30:08.276Z' }).timestamp).toBe('2015-02-02T00:30:08.276Z');
  });

  it('turns numeric ids into strings, keeps unknown fields, drops writeKey', () => {
    const event = normalized({ type: 'identify', userId: 42, messageId: 7, writeKey: 'wk_x', channel: 'server' });
    expect(event).toMatchObject({ userId: '42', messageId: '7', channel: 'server' });
    expect(event).not.toHaveProperty('writeKey');
  });

  it('reports every problem with the field path', () => {
    const result = normalizeEvent({ type: 'track', userId: 5n as unknown as string, properties: 'nope' }, { receivedAt, path: 'batch.2' });
    expect(result.issues?.map((issue) => issue.path).sort()).toEqual(['batch.2.properties', 'batch.2.userId'].sort());
  });

  it('refuses nesting deeper than 64 levels', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 70; i++) deep = { deeper: deep };
    const result = normalizeEvent({ type: 'track', event: 'E', userId: 'u', properties: deep as Record<string, unknown> }, { receivedAt });
    expect(result.issues?.[0]?.message).toContain('64 levels');
  });
});

describe('eventsFromBody', () => {
  it('treats a body with a batch array as a batch when no endpoint is given', () => {
    const events = eventsFromBody({ batch: [{ type: 'alias', userId: 'u', previousId: 'p' }] }, { receivedAt });
    expect(events.map((event) => event.type)).toEqual(['alias']);
  });

  it('refuses a batch-level context that is not an object', () => {
    expect(() => eventsFromBody({ context: 'x', batch: [{ type: 'track', event: 'E', userId: 'u' }] }, { endpoint: 'batch', receivedAt })).toThrow(
      expect.objectContaining({ status: 400, issues: [expect.objectContaining({ path: 'context' })] }),
    );
  });

  it('refuses more than 2,500 events in one batch with a 413', () => {
    const batch = Array.from({ length: 2501 }, () => ({ type: 'track', event: 'E', userId: 'u' }));
    expect(() => eventsFromBody({ batch }, { endpoint: 'batch', receivedAt })).toThrow(expect.objectContaining({ status: 413 }));
  });
});
