/** The plugin shown in plugin-sdk/README.md, kept here so it compiles and its README test runs. */
import { z } from 'zod';
import { classifyHttpResponse, defineAction, defineDestination, definePlugin, secret } from '@weft/plugin-sdk';

const config = z.object({ baseUrl: z.url(), apiKey: secret('Private API key') });

export default definePlugin({
  id: 'acme-crm',
  version: '1.0.0',
  sdk: '^0.1.0',
  description: 'Acme CRM',
  components: {
    destination: defineDestination({
      description: 'Records events in Acme',
      config,
      actions: {
        trackEvent: defineAction(config, {
          description: 'Records a track event',
          types: ['track'],
          payload: z.object({ userId: z.string(), name: z.string() }),
          defaultMapping: (event) => ({ userId: event.userId, name: event.event }),
          async perform(item, ctx) {
            const response = await ctx.fetch(`${ctx.config.baseUrl}/v1/events`, {
              method: 'POST',
              headers: { authorization: `Bearer ${ctx.config.apiKey}`, 'idempotency-key': item.idempotencyKey },
              body: JSON.stringify(item.payload),
            });
            const error = await classifyHttpResponse(response, 'Acme'); // 429/5xx retry, 401/403 pause, other 4xx fail
            if (error) throw error;
          },
        }),
      },
    }),
  },
});
