import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPluginError } from '@weft/plugin-sdk';
import { createHarness } from '@weft/plugin-sdk/testing';
import plugin, { verifyEventWebhookSignature } from './index.js';

interface Vector {
  id: string;
  publicKey: string;
  signature: string;
  timestamp: string;
  rawBody: string;
  expected: boolean;
}

const { cases } = JSON.parse(readFileSync(new URL('../fixtures/sendgrid-signed-event-webhook-vectors.json', import.meta.url), 'utf8')) as { cases: Vector[] };
// The vectors were signed in 2020 and 2021: verify them at the time they were signed.
const signedAt = (vector: Vector) => (/^\d+$/.test(vector.timestamp) ? Number(vector.timestamp) : 1600112502) * 1000;

describe("SendGrid's Signed Event Webhook vectors", () => {
  afterEach(() => vi.useRealTimers());

  it('covers valid and tampered cases', () => {
    expect(cases.filter((vector) => vector.expected).length).toBeGreaterThan(0);
    expect(cases.filter((vector) => !vector.expected).length).toBeGreaterThan(0);
  });

  it.each(cases)('verifyEventWebhookSignature gives $expected for $id', (vector) => {
    const verdict = verifyEventWebhookSignature({ publicKey: vector.publicKey, signature: vector.signature, timestamp: vector.timestamp, body: vector.rawBody, now: signedAt(vector) });
    expect(verdict.ok).toBe(vector.expected);
  });

  it.each(cases)('the sendgrid-events source accepts or rejects $id as the vector expects', async (vector) => {
    vi.useFakeTimers({ toFake: ['Date'], now: signedAt(vector) });
    const source = createHarness(plugin).source('sendgrid-events', { config: { publicKey: vector.publicKey, eventTypes: ['processed', 'bounce', 'dropped'] } });
    const request = {
      method: 'POST',
      headers: { 'x-twilio-email-event-webhook-signature': vector.signature, 'x-twilio-email-event-webhook-timestamp': vector.timestamp, 'content-type': 'application/json' },
      body: vector.rawBody,
    };
    const outcome = await source.handle(request).then(
      (run) => ({ accepted: true as const, run }),
      (error: unknown) => ({ accepted: false as const, error }),
    );
    expect(outcome.accepted).toBe(vector.expected);
    if (outcome.accepted) {
      expect(outcome.run.events.length).toBe((JSON.parse(vector.rawBody) as unknown[]).length);
      expect(outcome.run.invalid).toEqual([]);
    } else {
      expect(isPluginError(outcome.error) && outcome.error.kind).toBe('auth');
    }
  });
});
