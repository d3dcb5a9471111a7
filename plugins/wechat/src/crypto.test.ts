import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decryptMessage, encryptMessage, signatureMatches, wechatSignature } from './crypto.js';

interface Vector {
  id: string;
  token: string;
  encodingAESKey?: string;
  appId?: string;
  timestamp?: string;
  nonce?: string;
  random?: string;
  plaintext?: string;
  expectedEncrypt?: string;
  msg_signature?: string;
  echostr?: string;
  expectedPlain?: string;
  body?: string;
  encrypt?: string;
  expectedPlainContains?: string;
  expectedPlainLength?: number;
  expectedMsgSignature?: string;
  reply?: { plaintext: string; random: string; expectedEncrypt: string; timestamp: string; nonce: string; expectedMsgSignature: string };
}

const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/msgcrypt-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };
const vector = (prefix: string) => vectors.find((candidate) => candidate.id.startsWith(prefix))!;
const encryptOf = (item: Vector) => item.encrypt ?? item.echostr ?? /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(item.body ?? '')?.[1];

describe('WXBizMsgCrypt known-answer vectors (fixtures/msgcrypt-vectors.json)', () => {
  it('has the six vectors A1 to F', () => {
    expect(vectors.map((item) => item.id.split('-')[0])).toEqual(['A1', 'A2', 'B', 'C', 'D', 'E', 'F']);
  });

  it.each(vectors.filter((item) => item.expectedEncrypt))('encrypts $id exactly, and decrypts it back', (item) => {
    const options = { encodingAESKey: item.encodingAESKey!, appId: item.appId!, random: Buffer.from(item.random!, 'utf8') };
    expect(encryptMessage(item.plaintext!, options)).toBe(item.expectedEncrypt);
    expect(decryptMessage(item.expectedEncrypt!, item.encodingAESKey!)).toEqual({ message: item.plaintext, appId: item.appId });
  });

  it.each(vectors.filter((item) => item.msg_signature))('verifies the msg_signature of $id and decrypts it for its app id', (item) => {
    const encrypted = encryptOf(item)!;
    expect(signatureMatches(item.msg_signature, [item.token, item.timestamp!, item.nonce!, encrypted])).toBe(true);
    const opened = decryptMessage(encrypted, item.encodingAESKey!);
    expect(opened.appId).toBe(item.appId);
    if (item.expectedPlain !== undefined) expect(opened.message).toBe(item.expectedPlain);
    if (item.expectedPlainContains !== undefined) expect(opened.message).toContain(item.expectedPlainContains);
    if (item.expectedPlainLength !== undefined) expect(Buffer.byteLength(opened.message)).toBe(item.expectedPlainLength);
  });

  it('produces the encrypted reply and its msg_signature of E exactly', () => {
    const item = vector('E');
    const reply = item.reply!;
    const encrypted = encryptMessage(reply.plaintext, { encodingAESKey: item.encodingAESKey!, appId: item.appId!, random: Buffer.from(reply.random, 'utf8') });
    expect(encrypted).toBe(reply.expectedEncrypt);
    expect(wechatSignature([item.token, reply.timestamp, reply.nonce, encrypted])).toBe(reply.expectedMsgSignature);
  });

  it('computes the signature of F exactly', () => {
    const item = vector('F');
    expect(wechatSignature([item.token, item.timestamp!, item.nonce!, item.encrypt!])).toBe(item.expectedMsgSignature);
  });
});

describe('signatures and ciphertexts that are wrong', () => {
  const item = vector('C');
  const encrypted = encryptOf(item)!;

  it('refuses a msg_signature of another token', () => {
    expect(signatureMatches(item.msg_signature, ['other-token', item.timestamp!, item.nonce!, encrypted])).toBe(false);
  });

  it('refuses a signature that is not 40 hex digits', () => {
    expect(signatureMatches('not-a-signature', [item.token, item.timestamp!, item.nonce!])).toBe(false);
    expect(signatureMatches(undefined, [item.token])).toBe(false);
  });

  it('fails to decrypt under another EncodingAESKey with a WeChatCryptoError, not a crash', () => {
    expect(() => decryptMessage(encrypted, 'B'.repeat(43))).toThrow(/padding|length|decrypted/);
  });

  it('refuses base64 that is not whole AES blocks', () => {
    expect(() => decryptMessage('YWJj', item.encodingAESKey!)).toThrow(/AES blocks/);
  });

  it('pads a plaintext that fills whole 32-byte blocks with a full block', () => {
    const options = { encodingAESKey: item.encodingAESKey!, appId: 'wx0123456789ab', random: Buffer.alloc(16, 1) };
    // 16 random + 4 length + 30 message + 14 app id = 64 bytes: padding adds another 32.
    const encrypted = encryptMessage('x'.repeat(30), options);
    expect(Buffer.from(encrypted, 'base64')).toHaveLength(96);
    expect(decryptMessage(encrypted, item.encodingAESKey!)).toEqual({ message: 'x'.repeat(30), appId: 'wx0123456789ab' });
  });
});
