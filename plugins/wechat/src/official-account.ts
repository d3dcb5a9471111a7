import { z } from 'zod';
import { AuthError, ValidationError, defineSource, secret, type PluginContext } from '@weft/plugin-sdk';
import { WeChatCryptoError, decryptMessage, signatureMatches } from './crypto.js';
import { eventFromMessage } from './events.js';
import { parseWeChatXml, textField } from './xml.js';

export const officialAccountConfigSchema = z.object({
  appId: z.string().regex(/^wx[0-9a-zA-Z]+$/, 'a WeChat app id starts with "wx"').describe('AppID of the Official Account (Settings and Development → Basic Configuration)'),
  token: secret('Token set in the server configuration; WeChat signs every request with it').pipe(
    z.string().regex(/^[a-zA-Z0-9]{3,32}$/, 'the token is 3–32 letters and digits, as the console requires'),
  ),
  encodingAESKey: secret('EncodingAESKey of the server configuration (43 characters); needed in safe mode').pipe(
    z.string().regex(/^[a-zA-Z0-9]{43}$/, 'the EncodingAESKey is exactly 43 letters and digits'),
  ),
  mode: z.enum(['plain', 'safe']).default('safe').describe('Message encryption mode chosen in the console: plain (明文) or safe (安全模式); compatible-mode bodies are read as safe'),
  toleranceSeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(300)
    .describe('How far the signed timestamp of a request may be from now; older requests are refused as replays'),
});

export type OfficialAccountConfig = z.output<typeof officialAccountConfigSchema>;

const text = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });

/**
 * The Official Account server URL (`/hooks/:connectorId`): answers WeChat's GET check and turns
 * every POSTed message or event into a Weft event, answering `success` once it is committed.
 */
export const officialAccount = defineSource({
  title: 'WeChat Official Account',
  description: 'Receives Official Account messages and events (follow, QR scans, menu clicks, locations, texts) in plain or safe mode',
  config: officialAccountConfigSchema,
  async handle(request, ctx) {
    const query = new URL(request.url).searchParams;
    if (request.method === 'GET') {
      // The console's "submit" check: echo echostr when the signature is ours.
      if (!validSignature(query, ctx.config)) return { events: [], response: text('signature does not match the configured token', 401) };
      return { events: [], response: text(query.get('echostr') ?? '') };
    }
    if (request.method !== 'POST') return { events: [], response: text('WeChat sends GET (URL check) and POST (messages)', 405, { allow: 'GET, POST' }) };
    if (!validSignature(query, ctx.config)) throw new AuthError('WeChat signature rejected: the signature does not match the configured token, or the timestamp is stale');
    const body = parseWeChatXml(await request.text());
    const message = ctx.config.mode === 'safe' ? openEncrypted(body, query, ctx) : body;
    return { events: [eventFromMessage(message, ctx.config.appId)], response: text('success') };
  },
});

/** Checks `signature` (SHA-1 of token, timestamp, nonce) and that the timestamp is recent. */
function validSignature(query: URLSearchParams, config: OfficialAccountConfig): boolean {
  const timestamp = query.get('timestamp') ?? '';
  const nonce = query.get('nonce') ?? '';
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > config.toleranceSeconds) return false;
  return signatureMatches(query.get('signature'), [config.token, timestamp, nonce]);
}

/** Safe mode: checks `msg_signature` over the Encrypt value, decrypts it and checks it was sealed for this app. */
function openEncrypted(body: ReturnType<typeof parseWeChatXml>, query: URLSearchParams, ctx: PluginContext<OfficialAccountConfig>) {
  const encrypted = textField(body, 'Encrypt');
  if (!encrypted) throw new ValidationError('safe mode expects an <Encrypt> element in the body; is the console set to plain mode?');
  const parts = [ctx.config.token, query.get('timestamp') ?? '', query.get('nonce') ?? '', encrypted];
  if (!signatureMatches(query.get('msg_signature'), parts)) throw new AuthError('WeChat msg_signature rejected: it does not match the token and the Encrypt value');
  let opened: { message: string; appId: string };
  try {
    opened = decryptMessage(encrypted, ctx.config.encodingAESKey);
  } catch (error) {
    if (error instanceof WeChatCryptoError) throw new ValidationError(`the Encrypt value could not be read: ${error.message}`);
    throw error;
  }
  if (opened.appId !== ctx.config.appId) throw new AuthError(`the message was encrypted for app id '${opened.appId}', not this connector's '${ctx.config.appId}'`);
  return parseWeChatXml(opened.message);
}
