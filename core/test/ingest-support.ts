// Shared set-up of the ingest tests: a runtime on a fresh database with a test source plugin,
// the HTTP app, and helpers to send requests and read the events table.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AuthError, RateLimitedError, ValidationError, defineDestination, defineAction, definePlugin, defineSource } from '@weft/plugin-sdk';
import { createApp } from '../src/app.js';
import { IngestWriter } from '../src/ingest/writer.js';
import { createTestRuntime, type TestRuntime } from '../test-support/index.js';

/**
 * `web`: a plain source (write keys only) that also serves `test.js` under /sdk.
 * `hook`: a push source whose `handle` behaves as the request path asks (see the hooks tests).
 */
export const testSourcePlugin = definePlugin({
  id: 'test-sources',
  version: '1.0.0',
  sdk: '^0.1.0',
  description: 'Sources for the ingest tests',
  components: {
    web: defineSource({
      description: 'Events through the tracking API',
      config: z.object({}),
      assets: { 'test.js': { contentType: 'text/javascript; charset=utf-8', load: () => 'window.testSdk = true;\n' } },
    }),
    hook: defineSource({
      description: 'Webhooks that turn a JSON body into events',
      config: z.object({ token: z.string().default('let-me-in') }),
      async handle(request, ctx) {
        const action = new URL(request.url).pathname.split('/').slice(3).join('/');
        if (action === 'auth' && request.headers.get('x-token') !== ctx.config.token) throw new AuthError('x-token does not match the configured token');
        if (action === 'invalid') throw new ValidationError('the payload has no "items" field');
        if (action === 'slow-down') throw new RateLimitedError('too many webhooks; wait a minute', { retryAfterMs: 60_000 });
        if (action === 'crash') throw new Error('a bug in the plugin at /srv/plugin.js:12');
        if (action === 'challenge') return { events: [], response: new Response('echo:' + new URL(request.url).searchParams.get('c'), { status: 200 }) };
        const body = (await request.json()) as { items: unknown[] };
        const events = body.items.map((item) => ({ type: 'track' as const, event: 'Hook Item', ...(item as object) }));
        if (action === 'accepted') return { events, response: Response.json({ received: events.length }, { status: 202 }) };
        return { events };
      },
    }),
    out: defineDestination({
      description: 'A destination, which has no webhook',
      config: z.object({}),
      actions: { send: defineAction({ description: 'Send', payload: z.looseObject({}), defaultMapping: (event) => event, perform: () => undefined }) },
    }),
  },
});

export interface IngestFixture {
  t: TestRuntime;
  ingest: IngestWriter;
  app: ReturnType<typeof createApp>;
  writeKey: string;
  cleanup(): Promise<void>;
}

/** A runtime with the test plugin, a `web` source connector and its write key, and the app. */
export async function createIngestFixture(): Promise<IngestFixture> {
  const t = await createTestRuntime({}, { skipWorkspacePlugins: true });
  t.runtime.registry.register(testSourcePlugin, 'installed', 'inline');
  const { writeKey } = await t.runtime.connectors.create({ id: 'web', plugin: 'test-sources', component: 'web' });
  const ingest = new IngestWriter(t.runtime);
  const app = createApp({ runtime: t.runtime, ingest });
  return {
    t,
    ingest,
    app,
    writeKey: writeKey!,
    async cleanup() {
      await ingest.close();
      await t.cleanup();
    },
  };
}

export const basicAuth = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

/** POSTs `body` (JSON-encoded unless already a string or bytes) with the write key as Basic user unless `headers` say otherwise. */
export function post(fixture: IngestFixture, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return Promise.resolve(
    fixture.app.request(path, {
      method: 'POST',
      headers: { authorization: basicAuth(fixture.writeKey), 'content-type': 'application/json', ...headers },
      body: payload as BodyInit,
    }),
  );
}

export interface EventRow {
  source_id: string;
  message_id: string;
  type: string;
  state: string;
  payload: Record<string, unknown>;
}

/** Rows of the events table for one source, oldest first. */
export function storedEvents(fixture: IngestFixture, sourceId = 'web'): Promise<EventRow[]> {
  return fixture.t.runtime.database.query<EventRow>(
    sql`select source_id, message_id, type, coalesce(q.state, 'done') as state, payload from events e left join event_queue q on q.event_id = e.id where source_id = ${sourceId} order by e.id`,
  );
}

/** Rows of the events table whose messageId starts with `prefix`, oldest first. */
export function storedEventsWithPrefix(fixture: IngestFixture, prefix: string): Promise<EventRow[]> {
  return fixture.t.runtime.database.query<EventRow>(
    sql`select source_id, message_id, type, coalesce(q.state, 'done') as state, payload from events e left join event_queue q on q.event_id = e.id where message_id like ${prefix + '%'} order by e.id`,
  );
}
