import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  classifyHttpResponse,
  defineAction,
  defineDestination,
  definePlugin,
  defineSource,
  defineTransform,
  secret,
} from '@weft/plugin-sdk';
import { createApp } from '../src/app.js';
import { ensureAdminToken } from '../src/auth/admin-tokens.js';
import { IngestWriter } from '../src/ingest/writer.js';
import { createTestRuntime, type TestRuntime } from '../test-support/index.js';

/** A destination whose check() calls `url` with the secret token, as real vendors' checks do. */
export const testPlugin = definePlugin({
  id: 'test-admin',
  version: '1.0.0',
  sdk: '^0.1.0',
  description: 'Components for admin API tests',
  components: {
    source: defineSource({ description: 'Takes JSON events', config: z.object({}), handle: async (request) => ({ events: [await request.json()] }) }),
    tidy: defineTransform({ description: 'Passes events through', config: z.object({}), transform: (event) => event }),
    destination: defineDestination({
      description: 'Sends to a test receiver',
      config: z.object({ url: z.url(), token: secret(), label: z.string().default('main') }),
      async check(ctx) {
        const response = await ctx.fetch(ctx.config.url, { headers: { authorization: `Bearer ${ctx.config.token}` } });
        const error = await classifyHttpResponse(response, 'Test API');
        if (error) throw error;
      },
      actions: {
        send: defineAction({ description: 'Send', payload: z.looseObject({}), defaultMapping: (event) => event, perform: () => undefined }),
      },
    }),
  },
});

/** A receiver for check(): 200 for the right bearer token, else 401 with a body echoing what it got. */
export async function startCheckServer(goodToken: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const auth = request.headers.authorization ?? '';
    if (auth === `Bearer ${goodToken}`) {
      response.writeHead(200).end('{"ok":true}');
    } else {
      response.writeHead(401, { 'content-type': 'text/plain' }).end(`unauthorized: you sent ${auth}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/check`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A local port nothing listens on (it was free a moment ago), for "cannot reach" checks. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface AdminHarness {
  t: TestRuntime;
  token: string;
  /** Calls the admin API with the harness token (or `token: null` for none); answers status and parsed JSON. */
  call(method: string, path: string, body?: unknown, options?: { token?: string | null }): Promise<{ status: number; body: any; text: string }>;
  cleanup(): Promise<void>;
}

/** A test runtime on a fresh database with the test plugin registered, an app and an admin token. */
export async function createAdminHarness(): Promise<AdminHarness> {
  const t = await createTestRuntime({ adminToken: 'test-admin-token-0123456789' }, { skipWorkspacePlugins: true });
  t.runtime.registry.register(testPlugin, 'installed', 'inline');
  await ensureAdminToken(t.runtime.db, t.runtime.config.adminToken, t.dataDir);
  const ingest = new IngestWriter(t.runtime);
  const app = createApp({ runtime: t.runtime, ingest });
  const token = t.runtime.config.adminToken!;
  return {
    t,
    token,
    async call(method, path, body, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const bearer = options.token === undefined ? token : options.token;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      const response = await app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      return { status: response.status, body: contentType.includes('json') && text ? JSON.parse(text) : undefined, text };
    },
    async cleanup() {
      await ingest.close();
      await t.cleanup();
    },
  };
}
