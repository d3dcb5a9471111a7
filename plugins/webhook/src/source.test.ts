import { describe, expect, it } from 'vitest';
import { createHarness } from '@weft/plugin-sdk/testing';
import plugin, { signWebhookPayload } from './index.js';

const signingSecret = 'whsec-source-test-secret';
const harness = createHarness(plugin);
const source = harness.source('source', { config: { signingSecret }, connectorId: 'crm-hook' });

function signed(body: string, options: { secret?: string; timestamp?: number } = {}) {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'weft-timestamp': String(timestamp),
      'weft-signature': signWebhookPayload({ secret: options.secret ?? signingSecret, timestamp, body }),
    },
    body,
  };
}

const signUp = { type: 'track', event: 'Signed Up', userId: 'u1' };
const identify = { type: 'identify', userId: 'u1', traits: { email: 'a@example.com' } };

describe('webhook source', () => {
  it('accepts one signed event', async () => {
    const run = await source.handle(signed(JSON.stringify(signUp)));
    expect(run.events).toEqual([signUp]);
    expect(run.invalid).toEqual([]);
  });

  it('accepts an array of events and a {"batch": [...]} body', async () => {
    expect((await source.handle(signed(JSON.stringify([signUp, identify])))).events).toEqual([signUp, identify]);
    expect((await source.handle(signed(JSON.stringify({ batch: [signUp, identify] })))).events).toEqual([signUp, identify]);
  });

  it('rejects a body signed with another secret', async () => {
    await expect(source.handle(signed(JSON.stringify(signUp), { secret: 'someone-else' }))).rejects.toMatchObject({
      kind: 'auth',
      message: 'Webhook signature rejected: Weft-Signature does not match the body signed with the signing secret',
    });
  });

  it('rejects a body changed after it was signed', async () => {
    const request = signed(JSON.stringify(signUp));
    await expect(source.handle({ ...request, body: JSON.stringify({ ...signUp, userId: 'admin' }) })).rejects.toMatchObject({ kind: 'auth' });
  });

  it('rejects a request without a signature', async () => {
    await expect(source.handle({ method: 'POST', body: signUp })).rejects.toMatchObject({
      kind: 'auth',
      message: 'Webhook signature rejected: the Weft-Timestamp header is missing',
    });
  });

  it('rejects a stale request as a replay', async () => {
    const request = signed(JSON.stringify(signUp), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    await expect(source.handle(request)).rejects.toMatchObject({ kind: 'auth', message: expect.stringContaining('stale or replayed request') });
  });

  it('honours a wider tolerance from the config', async () => {
    const lenient = harness.source('source', { config: { signingSecret, toleranceSeconds: 7200 } });
    const run = await lenient.handle(signed(JSON.stringify(signUp), { timestamp: Math.floor(Date.now() / 1000) - 3600 }));
    expect(run.events).toEqual([signUp]);
  });

  it('rejects a signed body that is not JSON, or whose batch holds a non-object', async () => {
    await expect(source.handle(signed('not json'))).rejects.toMatchObject({ kind: 'validation', message: expect.stringContaining('not valid JSON') });
    await expect(source.handle(signed(JSON.stringify({ batch: [signUp, 3] })))).rejects.toMatchObject({
      kind: 'validation',
      message: 'event 1 must be a JSON object, got number',
    });
  });

  it('answers OPTIONS without events and refuses other methods with 405', async () => {
    const options = await source.handle({ method: 'OPTIONS' });
    expect(options.events).toEqual([]);
    expect(options.response.status).toBe(204);
    const get = await source.handle({ method: 'GET' });
    expect(get.response.status).toBe(405);
    expect(get.response.headers.get('allow')).toBe('POST, OPTIONS');
  });
});
