import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgTimestamp } from '../src/db/client.js';
import { createIdentityRuntime, type IdentityTestRuntime } from './identity-support.js';

describe('event times in profiles and timelines', () => {
  let test: IdentityTestRuntime;

  beforeAll(async () => {
    test = await createIdentityRuntime();
  });
  afterAll(async () => test.cleanup());
  beforeEach(async () => test.reset());

  it('keeps the years of early and late times as sent: year 1 stays year 1, not 2001', async () => {
    await test.send({ type: 'track', event: 'Old', userId: 'time-1', timestamp: '0001-01-01T00:00:00Z' });
    await test.send({ type: 'track', event: 'Older century', userId: 'time-1', timestamp: '0099-03-04T05:06:07.123Z' });
    await test.send({ type: 'track', event: 'Late', userId: 'time-1', timestamp: '9999-12-31T23:59:59.999Z' });
    const { profile } = await test.runtime.identity.profiles.get(await test.profileOf('user_id:time-1'));
    expect(profile).toMatchObject({ firstSeenAt: '0001-01-01T00:00:00.000Z', lastSeenAt: '9999-12-31T23:59:59.999Z' });
    expect(profile.identities[0]).toMatchObject({ firstSeenAt: '0001-01-01T00:00:00.000Z', lastSeenAt: '9999-12-31T23:59:59.999Z' });
    const { events } = await test.runtime.identity.profiles.timeline(profile.id, 10);
    expect(events.map((event) => event.occurredAt)).toEqual(['9999-12-31T23:59:59.999Z', '0099-03-04T05:06:07.123Z', '0001-01-01T00:00:00.000Z']);
  });

  it('pages a timeline only with cursors it handed out; a forged one is refused, not a server error', async () => {
    await test.send({ type: 'track', event: 'One', userId: 'pager', timestamp: '2026-01-05T00:00:00Z' }, { type: 'track', event: 'Two', userId: 'pager', timestamp: '2026-01-06T00:00:00Z' });
    const id = await test.profileOf('user_id:pager');
    const first = await test.runtime.identity.profiles.timeline(id, 1);
    expect((await test.runtime.identity.profiles.timeline(id, 1, first.nextCursor!)).events.map((event) => event.event)).toEqual(['One']);
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [forged(['2026-01-05T00:00:00.000Z', 1e30]), forged(['+275760-09-13T00:00:00.000Z', 1]), forged(['2026-01-05T00:00:00.000Z', -1]), forged(['2026-01-05', 1]), 'not-a-cursor']) {
      await expect(test.runtime.identity.profiles.timeline(id, 1, cursor), cursor).rejects.toMatchObject({ status: 400, message: `Cursor '${cursor}' is not one this API handed out` });
    }
  });
});

describe('pgTimestamp', () => {
  it('reads the text PostgreSQL writes for a timestamptz, every year right', () => {
    expect(pgTimestamp('0001-01-01 00:00:00+00').toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(pgTimestamp('0099-03-04 05:06:07.123456+00').toISOString()).toBe('0099-03-04T05:06:07.123Z');
    expect(pgTimestamp('2026-12-05 16:38:27.199+05:30').toISOString()).toBe('2026-12-05T11:08:27.199Z');
    expect(pgTimestamp('0044-03-15 12:00:00+00 BC').toISOString()).toBe('-000043-03-15T12:00:00.000Z');
    expect(pgTimestamp('12000-01-01 00:00:00+00').toISOString()).toBe('+012000-01-01T00:00:00.000Z');
  });
});
