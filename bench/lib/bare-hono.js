// The comparison point for /v1/track: a Hono handler that parses the JSON body and answers, nothing else.
import { Hono } from 'hono';
import { serve } from '@hono/node-server';

const app = new Hono();
app.post('/v1/track', async (c) => {
  await c.req.json();
  return c.json({ success: true });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, () => process.stdout.write('READY\n'));
process.on('SIGTERM', () => process.exit(0));
