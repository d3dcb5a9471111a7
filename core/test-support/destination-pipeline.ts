// The set-up plugins' end-to-end tests share: a runtime on a fresh database, a webhook source `app`,
// one destination connector, a pipeline between them, a pipeline worker and a running delivery manager.
import { DeliveryManager } from '../src/delivery/manager.js';
import { PipelineWorker } from '../src/engine/pipeline-worker.js';
import { IngestWriter } from '../src/ingest/writer.js';
import type { ConnectorInput } from '../src/connectors/service.js';
import { createTestRuntime, type TestRuntime } from './index.js';

export interface DestinationPipeline {
  test: TestRuntime;
  ingest: IngestWriter;
  /** Not started: a test drives it batch by batch, or calls `start()` to let it run. */
  worker: PipelineWorker;
  close(): Promise<void>;
}

export interface DestinationPipelineOptions {
  /** Pipeline id. */
  pipeline: string;
  destination: Omit<ConnectorInput, 'description' | 'enabled'>;
  /** The destination's actions the pipeline sends to. */
  actions: string[];
}

/**
 * Starts the source → destination pipeline a plugin's end-to-end test drives.
 *
 * @example
 * const pipeline = await startDestinationPipeline({ pipeline: 'welcome-sms', actions: ['sendSms'],
 *   destination: { id: 'sms-cn', plugin: 'sms', component: 'aliyun', config } });
 */
export async function startDestinationPipeline(options: DestinationPipelineOptions): Promise<DestinationPipeline> {
  const test = await createTestRuntime();
  const ingest = new IngestWriter(test.runtime);
  const worker = new PipelineWorker(test.runtime);
  const manager = new DeliveryManager(test.runtime);
  await test.runtime.connectors.create({ id: 'app', plugin: 'webhook', component: 'source', config: { signingSecret: 'whsec-e2e-0123456789' } });
  await test.runtime.connectors.create(options.destination);
  await test.runtime.pipelines.create(options.pipeline, { spec: { sources: ['app'], destinations: [{ connector: options.destination.id, actions: options.actions }] } });
  manager.start();
  await manager.refresh();
  return {
    test,
    ingest,
    worker,
    async close() {
      await manager.stop();
      await worker.stop();
      await ingest.close();
      await test.cleanup();
    },
  };
}
