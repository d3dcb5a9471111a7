// HTTP load with autocannon; every request body is made fresh so no two events share a messageId.
import autocannon from 'autocannon';

/**
 * Runs `durationSeconds` of POSTs to `url` with `connections` keep-alive connections.
 * `makeBody(i)` returns the JSON text of request i.
 */
export async function postLoad({ url, headers = {}, makeBody, connections = 32, durationSeconds = 10, pipelining = 1 }) {
  let counter = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    pipelining,
    duration: durationSeconds,
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (request) => ({ ...request, body: makeBody(counter++) }) }],
  });
  const ok = result['2xx'];
  const failed = result.non2xx + result.errors + result.timeouts;
  return {
    requestsPerSecond: ok / durationSeconds,
    ok,
    failed,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
  };
}
