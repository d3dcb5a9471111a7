import { isPluginError, withoutUrl, type InstrumentedFetch } from '@weft/plugin-sdk';
import { createPluginContext } from '../../connectors/context.js';
import { operatorLine } from '../../connectors/operator-line.js';
import { WeftError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';

/** What `weft connectors test` prints: did `check()` pass, one line saying why not, how long it took. */
export interface CheckOutcome {
  ok: boolean;
  message: string;
  durationMs: number;
}

/**
 * Runs a connector's `check()` with the context the engine would give it, and turns any failure
 * into one readable line (`auth failed: …`, `cannot reach https://host:port: ECONNREFUSED`) with the
 * connector's secrets scrubbed out. A missing connector is still a 404.
 *
 * @example
 * const { ok, message } = await checkConnector(runtime, 'crm-hook');
 */
export async function checkConnector(runtime: Runtime, connectorId: string): Promise<CheckOutcome> {
  const started = performance.now();
  const outcome = (ok: boolean, message: string): CheckOutcome => ({ ok, message, durationMs: Math.round(performance.now() - started) });
  let resolved;
  try {
    resolved = await runtime.connectors.resolve(connectorId);
  } catch (error) {
    // The connector exists but cannot run (its plugin is gone, its stored config no longer fits).
    if (error instanceof WeftError && error.status !== 404) return outcome(false, operatorLine(error.message, []));
    throw error;
  }
  const { component, row, settings, secretValues } = resolved;
  if (!component.check) return outcome(true, `${row.pluginId}/${row.component} has no check; the config is valid`);
  const context = createPluginContext({ db: runtime.db, logger: runtime.logger, metrics: runtime.metrics, signal: runtime.shutdown.signal }, resolved);
  const check = component.check.bind(component);
  let timer: NodeJS.Timeout | undefined;
  // A check that ignores its fetch timeout must still not hang the request.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`check did not finish within ${settings.timeoutMs} ms`)), settings.timeoutMs + 1_000);
  });
  try {
    await Promise.race([check({ ...context, fetch: explainingFetch(context.fetch) }), deadline]);
    return outcome(true, 'check passed');
  } catch (error) {
    return outcome(false, operatorLine(describeFailure(error), secretValues));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Names the server (scheme, host and port) and the network reason when a request cannot be made
 * at all. Not the path or query: those may carry a token (WeChat's access-token URL, a webhook's
 * secret path) that is not one of the connector's stored secrets, so scrubbing would miss it.
 */
function explainingFetch(fetch: InstrumentedFetch): InstrumentedFetch {
  return async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const href = input instanceof Request ? input.url : String(input);
      const reason = withoutUrl(cause?.code ?? cause?.message ?? (error as Error).message, href);
      throw Object.assign(new Error(`cannot reach ${withoutUrl(href, href)}: ${reason}`, { cause: error }), { name: (error as Error).name });
    }
  };
}

function describeFailure(error: unknown): string {
  // Plugins word their own errors; only refused credentials get a prefix, the one thing people scan for.
  if (isPluginError(error) && error.kind === 'auth') return `auth failed: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
