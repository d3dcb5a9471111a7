// Plays SendGrid's side of the Signed Event Webhook: a P-256 key pair of the test's own, and
// requests signed the way SendGrid signs them (ECDSA/SHA-256 over timestamp + raw body, base64 DER).
import { generateKeyPairSync, sign } from 'node:crypto';

export interface EventWebhookSigner {
  /** The verification key as SendGrid shows it: base64 of the SPKI DER. */
  publicKey: string;
  /** A signed hook request for the harness (`timestamp` in Unix seconds, default now). */
  request(body: string, timestamp?: number): { method: 'POST'; headers: Record<string, string>; body: string };
}

export function createEventWebhookSigner(): EventWebhookSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    request(body, timestamp = Math.floor(Date.now() / 1000)) {
      const signature = sign('sha256', Buffer.from(`${timestamp}${body}`, 'utf8'), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
      return {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-twilio-email-event-webhook-signature': signature,
          'x-twilio-email-event-webhook-timestamp': String(timestamp),
        },
        body,
      };
    },
  };
}
