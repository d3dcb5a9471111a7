import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifyIdentityMerge, type DeliveryItem, type IdentityMerge } from '@weft/plugin-sdk';
import { createHarness, renderLogLine, startFakeServer, type FakeRequest, type FakeServer } from '@weft/plugin-sdk/testing';
import plugin, { destination, verifyWebhookSignature } from './index.js';

const signingSecret = 'whsec-destination-test-secret';
const authorization = 'Bearer receiver-token-value';
const harness = createHarness(plugin);

const signedUp = { type: 'track' as const, event: 'Signed Up', userId: 'u1', messageId: 'm-1' };
const pageView = { type: 'page' as const, name: 'Home', anonymousId: 'a1', messageId: 'm-2' };

/** A real HTTP receiver on 127.0.0.1, fresh for every test; answers 200 unless a test scripts otherwise. */
let receiver: FakeServer;
let receiverUrl: string;
beforeEach(async () => {
  receiver = await startFakeServer({ status: 200, json: { ok: true } });
  // A token in the query string, as some receivers want: it must never show up in messages.
  receiverUrl = `${receiver.url}/hooks/weft?token=in-query`;
});
afterEach(() => receiver.close());

function webhook(config: Record<string, unknown> = {}) {
  return harness.destination('destination', { config: { url: receiverUrl, signingSecret, ...config } });
}

function signatureVerdict(request: FakeRequest) {
  return verifyWebhookSignature({
    secret: signingSecret,
    timestamp: request.headers['weft-timestamp'],
    signature: request.headers['weft-signature'],
    body: request.body,
  });
}

function batchOf(request: FakeRequest): Array<Record<string, unknown>> {
  return (request.json as { batch: Array<Record<string, unknown>> }).batch;
}

describe('webhook destination: send', () => {
  it('POSTs the events as {"batch": [...]} with a signature the exported helper verifies', async () => {
    const run = await webhook().send('send', [signedUp, pageView]);
    expect(run.results.map((result) => result.status)).toEqual(['ok', 'ok']);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toBe(`weft-webhook/${plugin.version}`);
    expect(request!.path).toBe('/hooks/weft');
    expect(batchOf(request!).map((event) => [event.type, event.messageId])).toEqual([['track', 'm-1'], ['page', 'm-2']]);
    expect(signatureVerdict(request!)).toEqual({ ok: true });
  });

  it('sends the whole event, profileId included', async () => {
    const event = { ...signedUp, properties: { plan: 'pro' }, timestamp: '2025-01-02T03:04:05.000Z', receivedAt: '2025-01-02T03:04:06.000Z', profileId: 'p-42' };
    await webhook().send('send', [event]);
    expect(batchOf(receiver.requests[0]!)[0]).toMatchObject({ type: 'track', event: 'Signed Up', userId: 'u1', properties: { plan: 'pro' }, profileId: 'p-42' });
  });

  it("uses a single event's idempotency key, and a hash of the keys for a batch", async () => {
    const single = await webhook().send('send', [signedUp]);
    const batch = await webhook().send('send', [signedUp, pageView]);
    expect(receiver.requests[0]!.headers['idempotency-key']).toBe(single.results[0]!.idempotencyKey);
    const expected = createHash('sha256').update(batch.results.map((result) => result.idempotencyKey).join('\n')).digest('hex');
    expect(receiver.requests[1]!.headers['idempotency-key']).toBe(expected);
  });

  it('retries a batch the receiver answers with 503, keeping its Idempotency-Key and signing each attempt', async () => {
    receiver.respond([{ status: 503, body: 'maintenance' }, { status: 200 }]);
    const destination = webhook();
    const first = await destination.send('send', [signedUp, pageView], { attempt: 1 });
    expect(first.results).toEqual([
      expect.objectContaining({ status: 'retry', reason: expect.stringContaining('answered 503') }),
      expect.objectContaining({ status: 'retry' }),
    ]);
    const second = await destination.send('send', [signedUp, pageView], { attempt: 2 });
    expect(second.results.map((result) => result.status)).toEqual(['ok', 'ok']);
    const [failed, retried] = receiver.requests;
    expect(retried!.headers['idempotency-key']).toBe(failed!.headers['idempotency-key']);
    expect(signatureVerdict(failed!)).toEqual({ ok: true });
    expect(signatureVerdict(retried!)).toEqual({ ok: true });
  });

  it('honours Retry-After when the receiver answers 429', async () => {
    receiver.respond({ status: 429, headers: { 'retry-after': '7' }, body: 'slow down' });
    const run = await webhook().send('send', [signedUp]);
    expect(run.results[0]).toMatchObject({ status: 'retry', retryAfterMs: 7000 });
  });

  it("fails the items for good when the receiver answers 400, with the receiver's message", async () => {
    receiver.respond({ status: 400, json: { error: 'unknown field plan' } });
    const run = await webhook().send('send', [signedUp, pageView]);
    expect(run.results).toEqual([
      expect.objectContaining({ status: 'fail', reason: expect.stringContaining('unknown field plan') }),
      expect.objectContaining({ status: 'fail' }),
    ]);
  });

  it('pauses the connector when the receiver refuses the credentials with 401', async () => {
    receiver.respond({ status: 401, body: 'bad token' });
    const run = await webhook({ authorization }).send('send', [signedUp]);
    expect(run.results[0]).toMatchObject({ status: 'pause', reason: expect.stringContaining('answered 401') });
  });

  it('retries when the receiver cannot be reached, naming the host and the cause', async () => {
    const closed = await startFakeServer();
    await closed.close();
    const { host } = new URL(closed.url);
    const run = await webhook({ url: `${closed.url}/in` }).send('send', [signedUp]);
    expect(run.results[0]).toMatchObject({
      status: 'retry',
      reason: `could not reach ${host}: the connection was refused (nothing listens on that port) (ECONNREFUSED)`,
    });
  });

  it('sends the configured headers and the encrypted authorization value', async () => {
    await webhook({ headers: { 'X-Tenant': 'acme' }, authorization }).send('send', [signedUp]);
    expect(receiver.requests[0]!.headers['x-tenant']).toBe('acme');
    expect(receiver.requests[0]!.headers['authorization']).toBe(authorization);
  });

  it('splits more than 100 events into batches of at most 100', async () => {
    const events = Array.from({ length: 230 }, (_, index) => ({ ...signedUp, messageId: `m-${index}` }));
    const run = await webhook().send('send', events);
    expect(run.results.every((result) => result.status === 'ok')).toBe(true);
    expect(receiver.requests.map((request) => batchOf(request).length)).toEqual([100, 100, 30]);
  });

  it('never writes the signing secret, the authorization value or the URL query to its logs or results', async () => {
    receiver.respond([{ status: 503 }, { status: 400, body: 'nope' }, { status: 429 }, { status: 200 }]);
    const destination = webhook({ authorization });
    const runs = [];
    for (let attempt = 1; attempt <= 4; attempt++) runs.push(await destination.send('send', [signedUp, pageView], { attempt }));
    const written = [...destination.logs.map(renderLogLine), ...runs.flatMap((run) => run.results.map((result) => JSON.stringify(result)))].join('\n');
    expect(destination.logs.length).toBeGreaterThan(0);
    expect(written).not.toContain(signingSecret);
    expect(written).not.toContain('receiver-token-value');
    expect(written).not.toContain('in-query');
  });
});

describe('webhook destination: identity merges', () => {
  const merge: DeliveryItem<IdentityMerge> = {
    payload: { survivorId: 'prf_old', mergedIds: ['prf_new'], rule: 'event', at: '2026-01-31T12:00:00.000Z' },
    idempotencyKey: 'merge-key-1',
    messageId: 'merge:prf_old:prf_new',
    attempt: 1,
  };
  const notify = (config: Record<string, unknown> = {}) => notifyIdentityMerge(destination, [merge], webhook(config).context);

  it('POSTs {"type":"identity.merge", …} to the same URL, signed, with the notice\'s idempotency key', async () => {
    expect(await notify({ authorization })).toEqual([{ status: 'ok' }]);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/hooks/weft');
    expect(request!.json).toEqual({ type: 'identity.merge', survivorId: 'prf_old', mergedIds: ['prf_new'], rule: 'event', at: '2026-01-31T12:00:00.000Z' });
    expect(request!.headers['idempotency-key']).toBe('merge-key-1');
    expect(request!.headers['authorization']).toBe(authorization);
    expect(signatureVerdict(request!)).toEqual({ ok: true });
  });

  it('reads the answer as it reads a batch: 503 retries, 400 fails, 401 pauses', async () => {
    receiver.respond([{ status: 503 }, { status: 400, json: { error: 'unknown profile' } }, { status: 401 }]);
    expect(await notify()).toEqual([expect.objectContaining({ status: 'retry', reason: expect.stringContaining('answered 503') })]);
    expect(await notify()).toEqual([expect.objectContaining({ status: 'fail', reason: expect.stringContaining('unknown profile') })]);
    expect(await notify()).toEqual([expect.objectContaining({ status: 'pause', reason: expect.stringContaining('answered 401') })]);
  });
});

describe('webhook destination: config', () => {
  it('rejects a URL that is not http or https', () => {
    expect(() => webhook({ url: 'ftp://example.com/in' })).toThrow(/url: must be an http:\/\/ or https:\/\/ URL/);
  });

  it('refuses extra headers that would replace the ones Weft sets', () => {
    expect(() => webhook({ headers: { 'weft-signature': 'v1=forged' } })).toThrow(/headers\.weft-signature: is set by Weft and cannot be overridden/);
    expect(() => webhook({ headers: { 'bad header': 'x' } })).toThrow(/'bad header' is not a valid HTTP header name/);
    expect(() => webhook({ headers: { Authorization: 'Bearer x' } })).toThrow(/encrypted 'authorization' field/);
  });

  it('marks the signing secret and the authorization value as secrets', () => {
    const component = plugin.components.destination!;
    expect(harness.plugin).toBe(plugin);
    expect(component.kind).toBe('destination');
    expect(webhook({ authorization }).secretValues.sort()).toEqual([authorization, signingSecret].sort());
  });
});

describe('webhook destination: check', () => {
  it('passes when the receiver answers, even with 405 to OPTIONS', async () => {
    receiver.respond({ status: 405 });
    const outcome = await harness.check('destination', { url: receiverUrl, signingSecret });
    expect(outcome).toMatchObject({ ok: true });
    expect(receiver.requests[0]!.method).toBe('OPTIONS');
    expect(receiver.requests[0]!.headers['weft-signature']).toBeUndefined();
  });

  it('reports a host that does not resolve in one line', async () => {
    const outcome = await harness.check('destination', { url: 'https://no-such-receiver.invalid/in', signingSecret });
    expect(outcome).toMatchObject({
      ok: false,
      kind: 'config',
      message: 'could not reach no-such-receiver.invalid: DNS lookup found no such host (ENOTFOUND)',
    });
  });

  it('reports a receiver that answers 5xx as unhealthy', async () => {
    receiver.respond({ status: 502 });
    const outcome = await harness.check('destination', { url: receiverUrl, signingSecret });
    expect(outcome).toMatchObject({ ok: false, kind: 'transient', message: expect.stringContaining('answered OPTIONS with 502') });
  });

  it('reports refused credentials when the receiver answers 401', async () => {
    receiver.respond({ status: 401 });
    const outcome = await harness.check('destination', { url: receiverUrl, signingSecret, authorization });
    expect(outcome).toMatchObject({ ok: false, kind: 'auth', message: expect.stringContaining("check the 'authorization' field") });
  });
});
