import { definePlugin } from '@weft/plugin-sdk';
import { hubspotDestination } from './hubspot/destination.js';
import { hubspotSource } from './hubspot/source.js';
import { salesforceDestination } from './salesforce/destination.js';
import { salesforceSource } from './salesforce/source.js';

export default definePlugin({
  id: 'crm',
  version: '0.1.0',
  sdk: '^0.1.0',
  description: 'HubSpot and Salesforce: upsert contacts and records, and pull their changes incrementally',
  components: {
    hubspot: hubspotDestination,
    'hubspot-source': hubspotSource,
    salesforce: salesforceDestination,
    'salesforce-source': salesforceSource,
  },
});

export { hubspotConfigSchema, HUBSPOT_BATCH_LIMIT, type HubSpotConfig } from './hubspot/destination.js';
export { hubspotSourceConfigSchema, type HubSpotSourceConfig } from './hubspot/source.js';
export { salesforceConfigSchema, SALESFORCE_BATCH_LIMIT, type SalesforceConfig } from './salesforce/destination.js';
export { salesforceQuery, salesforceSourceConfigSchema, type SalesforceSourceConfig } from './salesforce/source.js';
export { comparePositions, isPastCursor, type Position } from './cursor.js';
