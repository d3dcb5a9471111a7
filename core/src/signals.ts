import { EventEmitter } from 'node:events';

/**
 * In-process wake-ups so work flows without waiting for the next poll: ingest announces new
 * events, the pipeline announces new deliveries per connector. Other processes fall back to polling.
 */
export class Signals {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  eventsCommitted(): void {
    this.#emitter.emit('events');
  }

  deliveriesQueued(connectorId: string): void {
    this.#emitter.emit(`deliveries:${connectorId}`);
  }

  onEvents(listener: () => void): () => void {
    this.#emitter.on('events', listener);
    return () => this.#emitter.off('events', listener);
  }

  onDeliveries(connectorId: string, listener: () => void): () => void {
    this.#emitter.on(`deliveries:${connectorId}`, listener);
    return () => this.#emitter.off(`deliveries:${connectorId}`, listener);
  }
}
