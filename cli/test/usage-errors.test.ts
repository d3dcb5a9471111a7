import { beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, closedPort, parseJson, weft } from './support.js';

interface ErrorJson {
  error: { code: string; message: string };
}

/** Every case here is refused before any request: the server these runs point at does not exist. */
describe('weft refuses arguments that cannot be right as usage errors', () => {
  let offline: Record<string, string>;

  beforeAll(async () => {
    assertCliBuilt();
    offline = { WEFT_URL: `http://127.0.0.1:${await closedPort()}`, WEFT_ADMIN_TOKEN: 'unused' };
  });

  it.each([['reject', 'abc'], ['accept', '-1'], ['accept', '1.5'], ['accept', '0']])('refuses review %s %s: a review id is a positive whole number', async (decision, id) => {
    const result = await weft(['identity', 'review', decision, id], offline);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`Error: ID must be a review id: a positive whole number; got '${id}'\n`);
  });

  it('answers code usage with --json', async () => {
    const result = await weft(['identity', 'review', 'reject', 'abc', '--json'], offline);
    expect(result.code).toBe(2);
    expect(parseJson<ErrorJson>(result.stdout).error).toEqual({ code: 'usage', message: "ID must be a review id: a positive whole number; got 'abc'" });
  });

  it('refuses a review id too large to send unaltered', async () => {
    const result = await weft(['identity', 'review', 'accept', '99999999999999999999'], offline);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`Error: ID must be a review id: a positive whole number up to ${Number.MAX_SAFE_INTEGER}; got '99999999999999999999'\n`);
  });

  it.each([
    [['profiles', 'get', ''], 'PROFILE must be a profile id or an identifier such as email:ada@example.com'],
    [['profiles', 'explain', ' '], 'PROFILE must be a profile id or an identifier such as email:ada@example.com'],
    [['profiles', 'merge', 'prf_1', ''], 'OTHER must be a profile id or an identifier such as email:ada@example.com'],
    [['connectors', 'status', ''], 'ID must be a connector id'],
    [['pipelines', 'show', ''], 'ID must be a pipeline id'],
    [['identity', 'match', ''], 'RESOLVER must be the connector id of an identity resolver'],
    [['identity', 'types', 'set', '', '--limit', '1'], 'TYPE must be an identifier type such as email or loyalty_id'],
    [['identity', 'types', 'reset', ''], 'TYPE must be an identifier type such as email or loyalty_id'],
  ])('refuses an empty argument: weft %j', async (args, expected) => {
    const result = await weft([...args, '--json'], offline);
    expect(result.code).toBe(2);
    expect(parseJson<ErrorJson>(result.stdout).error).toEqual({ code: 'usage', message: `${expected}; got an empty value` });
  });

  it('refuses a --url that is not an http(s) URL, naming --url', async () => {
    const result = await weft(['profiles', 'get', 'x', '--url', 'notaurl'], offline);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("Error: --url must be the http:// or https:// URL of a Weft server, such as http://127.0.0.1:8080; got 'notaurl'\n");
  });

  it('names WEFT_URL when the bad URL came from there', async () => {
    const result = await weft(['connectors', 'list', '--json'], { ...offline, WEFT_URL: 'ftp://example.com' });
    expect(result.code).toBe(2);
    expect(parseJson<ErrorJson>(result.stdout).error).toEqual({
      code: 'usage',
      message: "WEFT_URL (the value of --url) must be the http:// or https:// URL of a Weft server, such as http://127.0.0.1:8080; got 'ftp://example.com'",
    });
  });
});
