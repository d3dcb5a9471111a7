import type { InstrumentedFetch, PluginContext } from '@weft/plugin-sdk';
import type { Db } from '../db/client.js';
import { connectorLogger, type Pino } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { connectorKeyValueStore } from './kv-store.js';
import type { ResolvedConnector } from './service.js';

export interface ContextDeps {
  db: Db;
  logger: Pino;
  metrics: Metrics;
  signal: AbortSignal;
}

/** Builds the context every plugin hook of one connector receives. */
export function createPluginContext(deps: ContextDeps, connector: ResolvedConnector): PluginContext<Record<string, unknown>> {
  const { row } = connector;
  return {
    config: connector.config,
    connector: { id: row.id, name: row.description ?? row.id, plugin: row.pluginId, component: row.component },
    logger: connectorLogger(deps.logger, row.id, connector.secretValues),
    fetch: instrumentedFetch(row.id, connector.settings.timeoutMs, deps.metrics, deps.signal),
    store: connectorKeyValueStore(deps.db, row.id),
    signal: deps.signal,
  };
}

/**
 * `fetch` with a timeout (per call, default from the connector's settings) that also aborts on
 * shutdown, recording latency and status per connector.
 */
export function instrumentedFetch(connectorId: string, defaultTimeoutMs: number, metrics: Metrics, shutdown: AbortSignal): InstrumentedFetch {
  return async (input, init = {}) => {
    const { timeoutMs = defaultTimeoutMs, signal, ...rest } = init;
    const signals = [AbortSignal.timeout(timeoutMs), shutdown, ...(signal ? [signal] : [])];
    const started = performance.now();
    try {
      const response = await fetch(input, { ...rest, signal: AbortSignal.any(signals) });
      metrics.pluginHttp.observe({ connector: connectorId, status: String(response.status) }, (performance.now() - started) / 1000);
      return response;
    } catch (error) {
      metrics.pluginHttp.observe({ connector: connectorId, status: 'error' }, (performance.now() - started) / 1000);
      if ((error as Error).name === 'TimeoutError') {
        throw Object.assign(new Error(`request timed out after ${timeoutMs} ms`), { name: 'TimeoutError', cause: error });
      }
      throw error;
    }
  };
}
