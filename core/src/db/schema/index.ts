export * from './connectors.js';
export * from './pipelines.js';
export * from './events.js';
export * from './deliveries.js';
export * from './admin.js';
export * from './identity.js';
