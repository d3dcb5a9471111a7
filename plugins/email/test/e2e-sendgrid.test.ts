// The sendgrid destination end to end: events ingested into a real Weft on PostgreSQL, routed by a
// pipeline, delivered by the delivery manager to the fake SendGrid v3 mail send API on 127.0.0.1,
// which checks the bearer key and refuses an invalid address with a 400 naming its personalization.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeftEvent } from '@weft/plugin-sdk';
import { startDestinationPipeline, type DestinationPipeline } from '../../../core/test-support/destination-pipeline.js';
import type { TestRuntime } from '../../../core/test-support/index.js';
import type { IngestWriter } from '../../../core/src/ingest/writer.js';
import { deliveryRows, waitUntil } from '../../../core/test/engine-support.js';
import { startFakeSendgrid, type FakeSendgrid } from './fake-sendgrid.js';

const apiKey = 'SG.e2e-key.0123456789abcdef';
const templateId = 'd-0123456789abcdef0123456789abcdef';

const identify = (userId: string, email: string, firstName: string): WeftEvent => {
  const now = new Date().toISOString();
  return { type: 'identify', messageId: `identify-${userId}`, userId, traits: { email, firstName }, timestamp: now, receivedAt: now };
};

describe('sendgrid in a Weft pipeline', () => {
  let pipeline: DestinationPipeline;
  let test: TestRuntime;
  let ingest: IngestWriter;
  let sendgrid: FakeSendgrid;

  beforeAll(async () => {
    sendgrid = await startFakeSendgrid({ apiKey, templates: [templateId], invalidAddresses: ['gone@example.com'] });
    pipeline = await startDestinationPipeline({
      pipeline: 'welcome',
      actions: ['send'],
      destination: {
        id: 'welcome-sendgrid',
        plugin: 'email',
        component: 'sendgrid',
        config: { apiKey, baseUrl: sendgrid.url, from: { email: 'hello@acme.test', name: 'Acme' }, templateId },
        settings: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 } },
      },
    });
    ({ test, ingest } = pipeline);
  });

  afterAll(async () => {
    await pipeline?.close();
    await sendgrid?.close();
  });

  it('sends the dynamic template to the identified email with the traits as template data and the bearer key', async () => {
    await ingest.write('app', [identify('u-ada', 'ada@example.com', 'Ada')]);
    expect(await pipeline.worker.processBatch()).toBe(1);

    const [row] = await waitUntil('the delivery to settle', async () => {
      const rows = await deliveryRows(test, 'welcome-sendgrid');
      return rows.length === 1 && rows[0]!.status !== 'pending' ? rows : undefined;
    });
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, payload: { to: 'ada@example.com', userId: 'u-ada' } });

    expect(sendgrid.accepted).toHaveLength(1);
    const [send] = sendgrid.accepted;
    expect(send).toMatchObject({ from: { email: 'hello@acme.test', name: 'Acme' }, template_id: templateId });
    expect(send!.personalizations).toEqual([
      {
        to: [{ email: 'ada@example.com' }],
        dynamic_template_data: expect.objectContaining({ traits: { email: 'ada@example.com', firstName: 'Ada' }, userId: 'u-ada', messageId: 'identify-u-ada' }),
        custom_args: { weft_message_id: 'identify-u-ada', weft_user_id: 'u-ada' },
      },
    ]);
    expect(sendgrid.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v3/mail/send', headers: { authorization: `Bearer ${apiKey}` } });
  });

  it('dead-letters only the recipient SendGrid refuses and delivers the others of the same request on a retry', async () => {
    await ingest.write('app', [identify('u-bob', 'bob@example.com', 'Bob'), identify('u-gone', 'gone@example.com', 'Gone'), identify('u-joy', 'joy@example.com', 'Joy')]);
    // Routed in one batch (one commit), so the delivery manager claims the three together and sends
    // them in one request; a running worker with two batch loops could split them between commits.
    expect(await pipeline.worker.processBatch()).toBe(3);

    const rows = await waitUntil('the three deliveries to settle', async () => {
      const list = (await deliveryRows(test, 'welcome-sendgrid')).filter((row) => row.message_id !== 'identify-u-ada').sort((a, b) => a.message_id.localeCompare(b.message_id));
      return list.length === 3 && list.every((row) => row.status !== 'pending') ? list : undefined;
    });
    expect(rows.map((row) => [row.payload['to'], row.status, row.attempts])).toEqual([
      ['bob@example.com', 'delivered', 2],
      ['gone@example.com', 'dead', 1],
      ['joy@example.com', 'delivered', 2],
    ]);
    expect(rows[1]!.last_error).toBe('SendGrid refused this recipient: Does not contain a valid address. (personalizations.1.to.0.email)');
    expect(rows[0]!.history[0]).toMatchObject({ outcome: 'retry', error: 'not sent: SendGrid refused another recipient of the same request' });

    const recipients = sendgrid.accepted.slice(1).flatMap((send) => send.personalizations.map((personalization) => personalization.to[0]!.email));
    expect(recipients.sort()).toEqual(['bob@example.com', 'joy@example.com']);
  });
});
