import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric Weft exports at `/metrics`; one registry per runtime so tests can run several. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'weft_process_' });
  const metrics = {
    registry,
    ingestEvents: new Counter({
      name: 'weft_ingest_events_total',
      help: 'Events received by the ingest API, by source connector and outcome (accepted, duplicate, rejected)',
      labelNames: ['source', 'outcome'] as const,
      registers: [registry],
    }),
    ingestRequests: new Counter({
      name: 'weft_ingest_requests_total',
      help: 'Ingest HTTP requests by endpoint and status code',
      labelNames: ['endpoint', 'status'] as const,
      registers: [registry],
    }),
    ingestCommitSeconds: new Histogram({
      name: 'weft_ingest_commit_seconds',
      help: 'Time to commit one group of ingested events',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    pipelineEvents: new Counter({
      name: 'weft_pipeline_events_total',
      help: 'Events processed by the pipeline worker, by outcome (routed, dropped, failed, unrouted, postponed; deferred: put back because another batch held its identifiers)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'weft_queue_depth',
      help: 'Items waiting: queue="events" for the pipeline, else the destination connector id',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    queueOldestAgeSeconds: new Gauge({
      name: 'weft_queue_oldest_age_seconds',
      help: 'Age of the oldest waiting item per queue',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'weft_deliveries_total',
      help: 'Delivery attempts by destination connector, action and outcome (delivered, retry, dead, paused)',
      labelNames: ['connector', 'action', 'outcome'] as const,
      registers: [registry],
    }),
    deliverySeconds: new Histogram({
      name: 'weft_delivery_seconds',
      help: 'Time of one perform/performBatch call',
      labelNames: ['connector', 'action'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    pluginHttp: new Histogram({
      name: 'weft_plugin_http_seconds',
      help: 'Outbound HTTP calls made by plugins, by connector and status (or "error")',
      labelNames: ['connector', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
