import { describe, expect, it } from 'vitest';
import { lockKey } from './store.js';
import { identifierKey } from './types.js';

describe('lockKey', () => {
  // Workers of different versions share one database during a rolling upgrade: a changed key would
  // let two of them hold "the" lock of one identifier at once. These values are SHA-1's first 8
  // bytes as a signed big-endian integer, as every version so far has computed them.
  it.each([
    [identifierKey('email', '', 'ada@example.com'), '-2132544389753189766'],
    [identifierKey('wechat_openid', 'wx5823bf96d3bd56c7', 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M'), '-3031245902899295026'],
    [identifierKey('phone', '', '+8613800138000'), '3950552336784591825'],
    [identifierKey('user_id', '', '用户 42'), '-89038164912534231'],
  ])('is the same 64-bit key for %j as before', (key, expected) => {
    expect(lockKey(key)).toBe(expected);
  });

  it('stays within a signed 64-bit integer, as pg_advisory_xact_lock(bigint) takes', () => {
    for (let n = 0; n < 2_000; n++) {
      const key = BigInt(lockKey(identifierKey('anonymous_id', '', `anon-${n}`)));
      expect(key >= -(2n ** 63n) && key < 2n ** 63n).toBe(true);
    }
  });
});
