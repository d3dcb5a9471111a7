import { describe, expect, it } from 'vitest';
import { normalizeEvents } from '../src/ingest/normalize.js';

const refusal = (inputs: unknown[], options: { single?: boolean } = {}) => {
  try {
    normalizeEvents(inputs, { receivedAt: new Date(), ...options });
  } catch (error) {
    return error as { message: string; issues: Array<{ path: string; message: string }> };
  }
  throw new Error('the events were accepted');
};

describe('messages about invalid events', () => {
  it('names the field once when an event has neither userId nor anonymousId', () => {
    const error = refusal([{ type: 'page' }], { single: true });
    expect(error.message).toBe('Invalid event: userId: required when there is no anonymousId');
    expect(error.issues).toEqual([{ path: 'userId', message: 'required when there is no anonymousId' }]);
  });

  it('names the event of a batch by its index', () => {
    expect(refusal([{ type: 'track', userId: 'u1', event: 'Bought' }, { type: 'group', userId: 'u1' }]).message).toBe('Invalid event: 1.groupId: required for group events');
  });
});
