// A Weft server process for the benchmarks (configured by WEFT_* variables).
import { loadConfig, startServer } from '@weft/core';

const server = await startServer(loadConfig(process.env));
process.stdout.write(`READY ${server.port ?? ''}\n`);
const stop = () => server.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
