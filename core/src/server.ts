import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.js';
import type { WeftConfig } from './config.js';
import { createRuntime, type Runtime } from './runtime.js';
import { ensureAdminToken } from './auth/admin-tokens.js';
import { IngestWriter } from './ingest/writer.js';
import { PipelineWorker } from './engine/pipeline-worker.js';
import { DeliveryManager } from './delivery/manager.js';
import { PullRunner } from './engine/pull-runner.js';
import { ensureDemo, localBaseUrl, type DemoSetup } from './demo/setup.js';
import { warnAboutUnsafePatterns } from './identity/blocked-patterns.js';

/** How long a graceful stop waits for calls in flight before aborting them. */
const shutdownGraceMs = 10_000;

export interface RunningServer {
  runtime: Runtime;
  /** The port actually bound (useful with port 0); undefined for `--role worker`. */
  port: number | undefined;
  /** Set when an admin token was generated on this start: print it once. */
  generatedAdminToken: string | undefined;
  /** With `config.demo`: the demo's write key and URLs. */
  demo: DemoSetup | undefined;
  /** Stops accepting requests, drains ingest and in-flight work, closes the database. */
  stop(): Promise<void>;
}

/**
 * Starts Weft in this process: HTTP (`api`), workers (`worker`) or both (`all`).
 *
 * @example
 * const server = await startServer(loadConfig());
 * process.on('SIGTERM', () => server.stop());
 */
export async function startServer(config: WeftConfig): Promise<RunningServer> {
  const runtime = await createRuntime(config);
  const { generated } = await ensureAdminToken(runtime.db, config.adminToken, config.dataDir);
  const serveHttp = config.role !== 'worker';
  const runWorkers = config.role !== 'api';

  const ingest = new IngestWriter(runtime);
  const pipelineWorker = runWorkers ? new PipelineWorker(runtime) : undefined;
  const deliveryManager = runWorkers ? new DeliveryManager(runtime) : undefined;
  // Every role has one: the API runs manual syncs with it, workers also run the schedule.
  const pulls = new PullRunner(runtime, ingest);
  let server: ServerType | undefined;
  let port: number | undefined;
  if (serveHttp) {
    const app = createApp({ runtime, ingest, pulls });
    port = await new Promise<number>((resolve, reject) => {
      server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => resolve(info.port));
      server.once('error', reject);
    });
  }
  // The demo destination posts back to this server, so it is set up once the port is known and
  // before the workers start: they never see the previous start's address.
  const demo = config.demo && port !== undefined ? await setUpDemo(runtime, localBaseUrl(config.host, port), server) : undefined;
  pipelineWorker?.start();
  deliveryManager?.start();
  if (runWorkers) pulls.start();
  runtime.logger.info({ role: config.role, port, driver: runtime.database.driver }, 'weft started');
  // Patterns saved before they were checked: a warning to replace them, without holding up the start.
  void warnAboutUnsafePatterns(runtime.identityTypes, runtime.logger).catch((error: unknown) =>
    runtime.logger.warn({ err: error }, 'could not check the stored blocked patterns of identifier types'),
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      runtime.logger.info('weft stopping: draining');
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      // Pull runs stop between records before ingest closes, so the pages they commit still land.
      await pulls.stop();
      await ingest.close();
      // Let work in hand finish; past the grace period, abort plugin calls still running (they are retried later).
      const drained = Promise.all([pipelineWorker?.stop(), deliveryManager?.stop()]);
      const grace = setTimeout(() => runtime.shutdown.abort(), shutdownGraceMs);
      await drained;
      clearTimeout(grace);
      await runtime.close();
    })());
  return { runtime, port, generatedAdminToken: generated, demo, stop };
}

async function setUpDemo(runtime: Runtime, baseUrl: string, server: ServerType | undefined): Promise<DemoSetup> {
  try {
    return await ensureDemo(runtime, { baseUrl });
  } catch (error) {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await runtime.close();
    throw error;
  }
}
