import { definePlugin } from '@weft/plugin-sdk';
import { destination } from './destination.js';
import { acmeIds } from './identity.js';
import { source } from './source.js';
import { stripTestUsers } from './transform.js';

/** The example plugin of docs/plugins.md: one vendor, one component of each kind. */
export default definePlugin({
  id: 'acme-crm',
  version: '1.0.0',
  sdk: '^0.1.0',
  description: 'Acme CRM: contacts and events in and out',
  components: { source, 'strip-test-users': stripTestUsers, 'acme-ids': acmeIds, destination },
});
