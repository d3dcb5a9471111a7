import { runConformance } from '@weft/plugin-sdk/testing';
import plugin from './index.js';

runConformance(plugin, {
  components: {
    transform: {
      config: { expression: '$contains(userId, /^test-/) ? null : $merge([$, {"properties": $merge([properties, {"source": "web"}])}])' },
      events: [
        { type: 'track', event: 'Signed Up', userId: 'u1', properties: { plan: 'pro' } },
        { type: 'page', name: 'Home', anonymousId: 'a1' },
      ],
      dropped: [{ type: 'track', event: 'Signed Up', userId: 'test-42' }],
    },
  },
});
