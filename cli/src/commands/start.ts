import { basename, join, relative, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { demoIds, localBaseUrl, startServer, type DemoSetup, type RunningServer, type WeftConfig } from '@weft/core';
import { WeftCommand } from '../base-command.js';
import { badInput, CliFailure } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { configFromFlags, describeDatabase, serverFlags } from '../server-config.js';

export default class Start extends WeftCommand<typeof Start> {
  static override summary = 'Run Weft in this process: HTTP API, ingest and background workers.';
  static override description =
    'Runs until Ctrl-C or SIGTERM, then drains in-flight work and stops. On first start an admin token is generated, printed once and saved to <data-dir>/admin-token (the CLI reads it from there). --demo sets up a ready-to-try pipeline (demo-web → demo-enrich → demo-echo) and serves a demo page.';
  static override flags = {
    ...serverFlags,
    demo: Flags.boolean({ summary: 'Set up the demo connectors and pipeline, and serve /demo and /demo/echo.' }),
  };
  static override examples = [
    '<%= config.bin %> start --demo',
    '<%= config.bin %> start --port 9090 --data-dir /var/lib/weft',
    '<%= config.bin %> start --database-url postgres://weft@db.internal:5432/weft --role api',
    'WEFT_DATABASE_URL=postgres://weft@db.internal:5432/weft <%= config.bin %> start --role worker',
  ];

  async run() {
    const config = configFromFlags(this.flags, { demo: this.flags.demo });
    if (config.demo && config.role === 'worker') throw badInput('--demo needs the HTTP server; use --role all (the default) or api');
    const server = await startServer(config).catch((error: unknown) => {
      throw explainStartFailure(error, config);
    });
    const stopRequested = nextStopSignal();
    const baseUrl = server.port === undefined ? undefined : localBaseUrl(config.host, server.port);
    this.#announce(config, server, baseUrl, server.demo);
    await stopRequested;
    await server.stop();
  }

  #announce(config: WeftConfig, server: RunningServer, baseUrl: string | undefined, demo: DemoSetup | undefined): void {
    const tokenFile = join(config.dataDir, 'admin-token');
    if (this.jsonEnabled()) {
      this.writeJsonLine({
        started: true,
        url: baseUrl ?? null,
        port: server.port ?? null,
        role: config.role,
        driver: server.runtime.database.driver,
        generatedAdminToken: server.generatedAdminToken ?? null,
        adminTokenFile: server.generatedAdminToken ? tokenFile : null,
        demo: demo ?? null,
      });
      return;
    }
    const lines = [`Weft is running${baseUrl ? ` at ${baseUrl}` : ''} (role ${config.role}, ${describeDatabase(config)}).`];
    if (server.generatedAdminToken) {
      lines.push('', `Admin token (generated now and shown only once; also saved to ${tokenFile} for the CLI):`, `  ${server.generatedAdminToken}`);
    } else if (!config.adminToken) {
      lines.push('', `Admin token: the one generated on first start; the CLI reads it from ${tokenFile}.`);
    }
    if (demo && baseUrl) lines.push('', ...demoInstructions(demo, baseUrl, config));
    this.log(lines.join('\n'));
  }
}

function demoInstructions(demo: DemoSetup, baseUrl: string, config: WeftConfig): string[] {
  const event = JSON.stringify({ type: 'track', event: 'Demo Curl', userId: 'demo-user-1', properties: { plan: 'pro' } });
  // The CLI needs the same address and data dir to find the server and its token.
  const cliEnv = [
    baseUrl === 'http://127.0.0.1:8080' ? '' : `WEFT_URL=${baseUrl} `,
    resolve(config.dataDir) === resolve('./.weft') ? '' : `WEFT_DATA_DIR=${config.dataDir} `,
  ].join('');
  return [
    `Demo ready: ${demoIds.source} → ${demoIds.transform} → ${demoIds.destination} (pipeline ${demoIds.pipeline}).`,
    `  Open the demo page:   ${demo.pageUrl}`,
    '  Send a track event:',
    `    curl -u '${demo.writeKey}:' -H 'content-type: application/json' -d '${event}' ${demo.trackUrl}`,
    '  See what was delivered:',
    `    curl ${demo.echoUrl}`,
    `    ${cliEnv}${cliInvocation()} deliveries list --connector ${demoIds.destination}`,
    `  The demo write key is kept in ${join(config.dataDir, 'demo-write-key')}.`,
  ];
}

/** How to run this CLI again: `weft` when installed, `node cli/bin/run.js` from a checkout. */
function cliInvocation(): string {
  const script = process.argv[1] ?? '';
  return basename(script) === 'run.js' ? `node ${relative(process.cwd(), script)}` : 'weft';
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once without draining. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const first = (signal: NodeJS.Signals) => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      const force = () => {
        process.stderr.write('Second signal: exiting without waiting for in-flight work.\n');
        process.exit(ExitCode.failed);
      };
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolveSignal(signal);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}

function explainStartFailure(error: unknown, config: WeftConfig): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new CliFailure(`Port ${config.port} on ${config.host} is already in use; choose another with --port`, ExitCode.failed, 'port_in_use');
  if (code === 'EACCES') return new CliFailure(`Not allowed to listen on ${config.host}:${config.port}; choose a port above 1024 with --port`, ExitCode.failed, 'port_denied');
  return error instanceof Error ? error : new Error(String(error));
}
