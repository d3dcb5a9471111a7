import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** WeChat pads to multiples of 32 bytes (not the AES block size of 16). */
const PAD_BLOCK = 32;

/**
 * WeChat's signature: SHA-1 hex of the parts sorted and joined. The server-URL check signs
 * `[token, timestamp, nonce]`; safe mode's `msg_signature` adds the `Encrypt` value.
 *
 * @example
 * wechatSignature(['pamtest', '1409304348', 'xxxxxx']) // 40 hex digits
 */
export function wechatSignature(parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Compares a signature from a request with the expected one in constant time. */
export function signatureMatches(received: string | null | undefined, parts: string[]): boolean {
  if (typeof received !== 'string' || !/^[0-9a-f]{40}$/i.test(received)) return false;
  return timingSafeEqual(Buffer.from(received.toLowerCase()), Buffer.from(wechatSignature(parts)));
}

/** The AES-256 key of an EncodingAESKey (43 base64 characters without the trailing `=`). */
export function aesKey(encodingAESKey: string): Buffer {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (encodingAESKey.length !== 43 || key.length !== 32) throw new RangeError('the EncodingAESKey must be 43 base64 characters');
  return key;
}

/** Why a ciphertext could not be read; the message never contains key material. */
export class WeChatCryptoError extends Error {
  override name = 'WeChatCryptoError';
}

/**
 * Encrypts a message as WeChat does: random(16) ‖ uint32be(length) ‖ message ‖ appId, PKCS#7-padded
 * to 32 bytes, AES-256-CBC with IV = key[0:16], base64. `random` is for known-answer tests.
 *
 * @example
 * encryptMessage('<xml>…</xml>', { encodingAESKey, appId: 'wx5823bf96d3bd56c7' }) // base64
 */
export function encryptMessage(message: string, options: { encodingAESKey: string; appId: string; random?: Uint8Array }): string {
  const key = aesKey(options.encodingAESKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([options.random ?? randomBytes(16), length, body, Buffer.from(options.appId, 'utf8')]);
  const padLength = PAD_BLOCK - (plain.length % PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(padLength, padLength)])), cipher.final()]).toString('base64');
}

/**
 * Decrypts an `Encrypt` value (or a WeCom `echostr`) into the message and the app id it was sealed for.
 * Throws a `WeChatCryptoError` for anything that is not a well-formed ciphertext under this key.
 */
export function decryptMessage(encrypted: string, encodingAESKey: string): { message: string; appId: string } {
  const key = aesKey(encodingAESKey);
  const cipherText = Buffer.from(encrypted, 'base64');
  if (cipherText.length === 0 || cipherText.length % 16 !== 0) throw new WeChatCryptoError('the ciphertext is not a whole number of AES blocks');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  } catch {
    throw new WeChatCryptoError('the ciphertext could not be decrypted');
  }
  const padLength = plain[plain.length - 1]!;
  if (padLength < 1 || padLength > PAD_BLOCK || padLength > plain.length - 20) throw new WeChatCryptoError('the padding is invalid (wrong EncodingAESKey?)');
  const content = plain.subarray(16, plain.length - padLength);
  const length = content.readUInt32BE(0);
  if (length > content.length - 4) throw new WeChatCryptoError('the message length is out of range (wrong EncodingAESKey?)');
  return { message: content.subarray(4, 4 + length).toString('utf8'), appId: content.subarray(4 + length).toString('utf8') };
}
