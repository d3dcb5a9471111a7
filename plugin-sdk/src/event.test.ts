import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventInputSchema, toWeftEvent, type EventType } from './event.js';

/** Segment's HTTP API documentation examples (see plugin-sdk/fixtures/SOURCES.md). */
const segmentExamples = JSON.parse(readFileSync(new URL('../fixtures/segment-http-api-doc-examples.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;

/** The single-event examples with the `type` their endpoint implies. */
const singleEvents = Object.entries(segmentExamples)
  .filter(([key]) => /^POST \/v1\/(identify|track|page|screen|group|alias)$/.test(key))
  .map(([key, body]) => ({ key, event: { ...body, type: key.slice('POST /v1/'.length) as EventType } }));

const errorsOf = (input: unknown) => {
  const parsed = eventInputSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
};

describe('eventInputSchema', () => {
  it('accepts every single-event example of the Segment HTTP API docs', () => {
    expect(singleEvents.map(({ key }) => key)).toHaveLength(6);
    for (const { key, event } of singleEvents) expect({ key, errors: errorsOf(event) }).toEqual({ key, errors: [] });
  });

  it('accepts the integrations-selector example and keeps unknown fields such as writeKey', () => {
    const example = { ...segmentExamples['POST /v1/identify (integrations selector)'], type: 'identify' };
    const parsed = eventInputSchema.parse(example);
    expect(parsed.integrations).toEqual({ All: false, Mixpanel: true, Kissmetrics: true, 'Google Analytics': false });
    expect(parsed['writeKey']).toBe('YOUR_WRITE_KEY');
  });

  it("refuses the batch example's single-digit-month timestamps ('2015-2-02…') as they are (ingest pads them before validating)", () => {
    const batch = (segmentExamples['POST /v1/batch'] as { batch: unknown[] }).batch;
    expect(batch.map((event) => errorsOf(event))).toEqual([
      [],
      [],
      [{ path: 'timestamp', message: 'must be an ISO-8601 date or epoch milliseconds' }],
      [{ path: 'timestamp', message: 'must be an ISO-8601 date or epoch milliseconds' }],
    ]);
  });

  it('normalises ids to strings and dates to ISO strings', () => {
    const parsed = eventInputSchema.parse({ type: 'identify', userId: 42, messageId: 7, timestamp: 0, context: { externalIds: [{ id: 9, type: 'crm_id' }] } });
    expect(parsed).toMatchObject({ userId: '42', messageId: '7', timestamp: '1970-01-01T00:00:00.000Z', context: { externalIds: [{ id: '9', type: 'crm_id' }] } });
  });

  it('requires userId or anonymousId', () => {
    expect(errorsOf({ type: 'page' })).toEqual([{ path: 'userId', message: 'required when there is no anonymousId' }]);
    expect(errorsOf({ type: 'page', anonymousId: 'a-1' })).toEqual([]);
  });

  it('requires an event name on track', () => {
    expect(errorsOf({ type: 'track', userId: 'u1' })).toEqual([{ path: 'event', message: 'track events need an event name' }]);
  });

  it('requires a groupId on group', () => {
    expect(errorsOf({ type: 'group', userId: 'u1' })).toEqual([{ path: 'groupId', message: 'required for group events' }]);
  });

  it('requires a previousId on alias', () => {
    expect(errorsOf({ type: 'alias', userId: 'u1' })).toEqual([{ path: 'previousId', message: 'required for alias events' }]);
  });

  it('names an unknown type', () => {
    expect(errorsOf({ type: 'click', userId: 'u1' })).toEqual([{ path: 'type', message: expect.stringContaining('track') }]);
  });

  it('refuses a messageId longer than 200 characters and a userId longer than 500', () => {
    expect(errorsOf({ type: 'page', userId: 'u1', messageId: 'm'.repeat(201) }).map((error) => error.path)).toEqual(['messageId']);
    expect(errorsOf({ type: 'page', userId: 'u'.repeat(501) }).map((error) => error.path)).toEqual(['userId']);
  });

  it('refuses properties that are not an object', () => {
    expect(errorsOf({ type: 'track', userId: 'u1', event: 'E', properties: [1, 2] }).map((error) => error.path)).toEqual(['properties']);
  });

  it('refuses times outside the years 1 to 9999, which no database column or vendor takes', () => {
    for (const time of ['+020000-01-01T00:00:00Z', '-000100-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', 253402300800000]) {
      const result = eventInputSchema.safeParse({ type: 'track', event: 'x', userId: 'u1', timestamp: time });
      expect(result.success, String(time)).toBe(false);
      expect(result.error!.issues[0]).toMatchObject({ path: ['timestamp'], message: expect.stringMatching(/^must be a date from year 1 to 9999, not /) });
    }
    expect(eventInputSchema.parse({ type: 'track', event: 'x', userId: 'u1', sentAt: '0001-01-01T00:00:00Z', timestamp: '9999-12-31T23:59:59.999Z' })).toMatchObject({
      sentAt: '0001-01-01T00:00:00.000Z',
      timestamp: '9999-12-31T23:59:59.999Z',
    });
  });

  it('refuses an external id without a type', () => {
    expect(errorsOf({ type: 'identify', userId: 'u1', context: { externalIds: [{ id: 'o6_bmjrPTlm6' }] } }).map((error) => error.path)).toEqual([
      'context.externalIds.0.type',
    ]);
  });
});

describe('toWeftEvent', () => {
  const receivedAt = new Date('2024-05-01T12:00:10.000Z');

  it('corrects the client clock: timestamp = receivedAt − (sentAt − originalTimestamp)', () => {
    const parsed = eventInputSchema.parse({
      type: 'track',
      event: 'Played',
      userId: 'u1',
      originalTimestamp: '2024-05-01T11:00:00.000Z',
      sentAt: '2024-05-01T11:00:05.000Z',
    });
    expect(toWeftEvent(parsed, receivedAt)).toMatchObject({
      timestamp: '2024-05-01T12:00:05.000Z',
      originalTimestamp: '2024-05-01T11:00:00.000Z',
      receivedAt: '2024-05-01T12:00:10.000Z',
    });
  });

  it("takes a server library's timestamp as the original one", () => {
    const parsed = eventInputSchema.parse({ type: 'page', userId: 'u1', timestamp: '2012-12-02T00:31:29.738Z', sentAt: '2012-12-02T00:31:30.738Z' });
    expect(toWeftEvent(parsed, receivedAt).timestamp).toBe('2024-05-01T12:00:09.000Z');
  });

  it('trusts a lone timestamp or originalTimestamp when there is no sentAt to correct it with', () => {
    const withTimestamp = toWeftEvent(eventInputSchema.parse({ type: 'page', userId: 'u1', timestamp: '2012-12-02T00:31:29.738Z' }), receivedAt);
    expect(withTimestamp.timestamp).toBe('2012-12-02T00:31:29.738Z');
    expect(withTimestamp.originalTimestamp).toBeUndefined();
    const withOriginal = toWeftEvent(eventInputSchema.parse({ type: 'page', userId: 'u1', originalTimestamp: '2012-12-02T00:31:29.738Z' }), receivedAt);
    expect(withOriginal).toMatchObject({ timestamp: '2012-12-02T00:31:29.738Z', originalTimestamp: '2012-12-02T00:31:29.738Z' });
  });

  it('keeps the uncorrected time when the correction would leave the storable years', () => {
    const parsed = eventInputSchema.parse({ type: 'page', userId: 'u1', timestamp: '9999-06-01T00:00:00.000Z', sentAt: '1970-01-01T00:00:00.000Z' });
    expect(toWeftEvent(parsed, receivedAt).timestamp).toBe('9999-06-01T00:00:00.000Z');
  });

  it('uses receivedAt when the client sent no time at all', () => {
    const event = toWeftEvent(eventInputSchema.parse({ type: 'page', userId: 'u1' }), receivedAt);
    expect(event.timestamp).toBe('2024-05-01T12:00:10.000Z');
    expect(event.originalTimestamp).toBeUndefined();
  });

  it('keeps the client messageId, or makes a fresh one', () => {
    expect(toWeftEvent(eventInputSchema.parse({ type: 'page', userId: 'u1', messageId: 'm-1' })).messageId).toBe('m-1');
    const first = toWeftEvent(eventInputSchema.parse({ type: 'page', userId: 'u1' })).messageId;
    const second = toWeftEvent(eventInputSchema.parse({ type: 'page', userId: 'u1' })).messageId;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(first).not.toBe(second);
  });
});
