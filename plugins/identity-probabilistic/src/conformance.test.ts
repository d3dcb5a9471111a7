import { runConformance } from '@weft/plugin-sdk/testing';
import plugin from './index.js';

runConformance(plugin, {
  components: {
    resolver: {
      config: { thresholds: { link: 0.97, review: 0.7 } },
      events: [
        { type: 'identify', userId: 'u1', traits: { firstName: 'Michaela', lastName: 'Neumann', email: 'michaela@example.com', address: { city: 'Winston Hills', postalCode: '4223' } } },
        { type: 'track', event: 'Order Completed', anonymousId: 'a1', properties: { total: 42 } },
      ],
    },
  },
});
