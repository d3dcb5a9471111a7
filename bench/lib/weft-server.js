// A Weft server process for the benchmarks (configured by WEFT_* variables).
// With BENCH_SERVED_TIMES=1 it also times every request inside the process (from the request's
// first byte parsed to the response's last byte written, through node:http's diagnostics
// channels) and prints them as one `SERVED [ms, …]` line when it stops, so a benchmark can tell
// the server's own latency from what the client, the kernel and the other processes add.
import dc from 'node:diagnostics_channel';
import { loadConfig, startServer } from '@weft/core';

const served = [];
if (process.env.BENCH_SERVED_TIMES === '1') {
  const started = new WeakMap();
  dc.subscribe('http.server.request.start', ({ request }) => started.set(request, performance.now()));
  dc.subscribe('http.server.response.finish', ({ request }) => {
    const at = started.get(request);
    if (at !== undefined) served.push(Number((performance.now() - at).toFixed(3)));
  });
}
const server = await startServer(loadConfig(process.env));
process.stdout.write(`READY ${server.port ?? ''}\n`);
const stop = () =>
  server.stop().then(() => {
    if (process.env.BENCH_SERVED_TIMES === '1') process.stdout.write(`SERVED ${JSON.stringify(served)}\n`);
    process.exit(0);
  });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
