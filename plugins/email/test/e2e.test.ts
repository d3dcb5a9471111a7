// The smtp destination end to end: events ingested into a real Weft on PostgreSQL, routed by a
// pipeline, delivered by the delivery manager to a real SMTP server on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeftEvent } from '@weft/plugin-sdk';
import { startDestinationPipeline, type DestinationPipeline } from '../../../core/test-support/destination-pipeline.js';
import type { TestRuntime } from '../../../core/test-support/index.js';
import { deliveryRows, waitUntil } from '../../../core/test/engine-support.js';
import { header, startSmtpServer, type TestSmtpServer } from './smtp-server.js';

const login = { user: 'weft-relay', pass: 'relay-password-0123456789' };

describe('email plugin in a Weft pipeline', () => {
  let pipeline: DestinationPipeline;
  let test: TestRuntime;
  let relay: TestSmtpServer;

  beforeAll(async () => {
    relay = await startSmtpServer({ auth: login, rejectRecipients: ['gone@example.com'], deferOnce: ['later@example.com'] });
    pipeline = await startDestinationPipeline({
      pipeline: 'welcome',
      actions: ['send'],
      destination: {
        id: 'welcome-mail',
        plugin: 'email',
        component: 'smtp',
        config: {
          host: relay.host,
          port: relay.port,
          requireTLS: false,
          auth: login,
          from: 'Acme <hello@acme.test>',
          subject: 'Welcome to Acme, {{traits.firstName}}',
          text: 'Hi {{traits.firstName}}, thanks for signing up.',
          html: '<p>Hi {{traits.firstName}}, thanks for signing up.</p>',
        },
        settings: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 } },
      },
    });
    test = pipeline.test;
    pipeline.worker.start();
  });

  afterAll(async () => {
    await pipeline?.close();
    await relay?.close();
  });

  it('sends the templated welcome to the identified email, fails a refused mailbox alone and retries a deferred one', async () => {
    const now = new Date().toISOString();
    const identify = (userId: string, email: string, firstName: string): WeftEvent => ({
      type: 'identify',
      messageId: `identify-${userId}`,
      userId,
      traits: { email, firstName },
      timestamp: now,
      receivedAt: now,
    });
    await pipeline.ingest.write('app', [identify('u-ada', 'ada@example.com', 'Ada'), identify('u-gone', 'gone@example.com', 'Gone'), identify('u-later', 'later@example.com', 'Lee')]);

    const rows = await waitUntil('the three deliveries to settle', async () => {
      const list = (await deliveryRows(test, 'welcome-mail')).sort((a, b) => a.message_id.localeCompare(b.message_id));
      return list.length === 3 && list.every((row) => row.status !== 'pending') ? list : undefined;
    });

    expect(rows.map((row) => [row.payload['to'], row.status, row.attempts])).toEqual([
      ['ada@example.com', 'delivered', 1],
      ['gone@example.com', 'dead', 1],
      ['later@example.com', 'delivered', 2],
    ]);
    expect(rows[1]!.last_error).toContain('550 5.1.1 <gone@example.com>: mailbox unavailable');

    const ada = relay.messages.find((message) => message.to[0] === 'ada@example.com')!;
    expect(header(ada.raw, 'Subject')).toBe('Welcome to Acme, Ada');
    expect(header(ada.raw, 'From')).toBe('Acme <hello@acme.test>');
    expect(ada.raw).toContain('Hi Ada, thanks for signing up.');
    expect(relay.messages.map((message) => message.to[0]).sort()).toEqual(['ada@example.com', 'later@example.com']);
  });
});
