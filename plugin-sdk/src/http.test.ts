import { describe, expect, it } from 'vitest';
import { describeFetchFailure, withoutUrl } from './http.js';

describe('withoutUrl', () => {
  it('writes a URL as its origin, however it was spelt', () => {
    const url = 'https://user:pw-secret@api.example.com:8443/hooks/path-secret?key=query-secret';
    expect(withoutUrl(`bad: ${url}`, url)).toBe('bad: https://api.example.com:8443');
    expect(withoutUrl(`bad: ${new URL('HTTPS://api.example.com/a?k=s3')}`, 'HTTPS://api.example.com/a?k=s3')).toBe('bad: https://api.example.com');
    expect(withoutUrl('nothing to take out', url)).toBe('nothing to take out');
  });
});

describe('describeFetchFailure', () => {
  it('never quotes the URL fetch itself put in its message', () => {
    const url = new URL('https://user:pw-secret@api.example.com/x?key=query-secret');
    const error = new TypeError(`Request cannot be constructed from a URL that includes credentials: ${url.href}`);
    const message = describeFetchFailure(error, url, 'Vendor');
    expect(message).toBe('could not reach Vendor at api.example.com: Request cannot be constructed from a URL that includes credentials: https://api.example.com');
  });
});
