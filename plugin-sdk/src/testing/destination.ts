import type { DeliveryItem, DestinationComponent } from '../components.js';
import { buildPayload, idempotencyKey, performAction, splitIntoBatches, type ExecutionResult } from '../execute.js';
import { HarnessError, makeEvent, type Captured, type ConnectorHarness, type TestEvent } from './connector.js';

export interface SendOptions {
  /**
   * Payloads to use instead of the action's `defaultMapping`, one per event (what a connector's
   * JSONata mapping would produce). They are still validated with the action's payload schema.
   */
  payloads?: unknown[];
  /** The attempt number items carry (default 1, the first try). */
  attempt?: number;
}

/** The host's verdict on one event, with the ids the item carried. */
export type ItemResult = ExecutionResult & { messageId: string; idempotencyKey: string };

export interface SendRun extends Captured {
  /** One result per event, in the order the events were given. */
  results: ItemResult[];
  /** The items of each `perform`/`performBatch` call, in call order (items whose payload was invalid never reach one). */
  batches: DeliveryItem<unknown>[][];
}

export interface DestinationHarness<Config = Record<string, unknown>> extends ConnectorHarness<Config> {
  /**
   * Delivers events through one action as the host does: map (or take `payloads`), validate
   * the payload (an invalid one fails without a call), split into the action's batches, call
   * `perform`/`performBatch` one batch after the other, classify errors.
   */
  send(action: string, events: TestEvent[], options?: SendOptions): Promise<SendRun>;
}

/** Adds `send` to a destination connector. */
export function destinationHarness(component: DestinationComponent, connector: ConnectorHarness): DestinationHarness {
  const send = async (actionName: string, events: TestEvent[], options: SendOptions = {}): Promise<SendRun> => {
    const action = component.actions[actionName];
    if (!action) {
      throw new HarnessError(`Destination '${connector.pluginId}/${connector.componentName}' has no action '${actionName}' (it has: ${Object.keys(component.actions).join(', ')})`);
    }
    if (options.payloads && options.payloads.length !== events.length) {
      throw new HarnessError(`send('${actionName}'): got ${options.payloads.length} payloads for ${events.length} events; give one per event`);
    }
    const results: Array<ItemResult | undefined> = [];
    const valid: Array<{ index: number; item: DeliveryItem<unknown> }> = [];
    events.forEach((input, index) => {
      const event = makeEvent(input);
      const ids = { messageId: event.messageId, idempotencyKey: idempotencyKey({ connectorId: connector.context.connector.id, action: actionName, messageId: event.messageId }) };
      const built = options.payloads ? buildPayload(action, event, options.payloads[index]) : buildPayload(action, event);
      if (!built.ok) {
        results[index] = { status: 'fail', reason: built.reason, ...ids };
        return;
      }
      valid.push({ index, item: { payload: built.payload, ...ids, attempt: options.attempt ?? 1 } });
    });
    const indexOf = new Map(valid.map(({ index, item }) => [item, index]));
    const batches = splitIntoBatches(
      valid.map(({ item }) => item),
      action.batch,
    );
    const { logs, requests } = await connector.capture(async () => {
      for (const batch of batches) {
        const batchResults = await performAction(action, batch, connector.context);
        batch.forEach((item, position) => {
          results[indexOf.get(item)!] = { ...batchResults[position]!, messageId: item.messageId, idempotencyKey: item.idempotencyKey };
        });
      }
    });
    return { results: results as ItemResult[], batches, logs, requests };
  };
  return { ...connector, send };
}
