import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineAction, defineDestination, definePlugin, secret } from '@weft/plugin-sdk';
import { createTestRuntime, type TestRuntime } from '../test-support/index.js';

const testPlugin = definePlugin({
  id: 'test-out',
  version: '1.0.0',
  sdk: '^0.1.0',
  description: 'A destination for connector tests',
  components: {
    destination: defineDestination({
      description: 'Sends nowhere',
      config: z.object({ url: z.url(), signingSecret: secret() }),
      actions: {
        send: defineAction({ description: 'Send', payload: z.looseObject({}), defaultMapping: (event) => event, perform: () => undefined }),
      },
    }),
  },
});

describe('connectors', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await createTestRuntime({}, { skipWorkspacePlugins: true });
    t.runtime.registry.register(testPlugin, 'installed', 'inline');
  });
  afterAll(async () => t.cleanup());

  it('stores a secret encrypted and never shows it', async () => {
    const { connector } = await t.runtime.connectors.create({
      id: 'hook-out',
      plugin: 'test-out',
      component: 'destination',
      config: { url: 'http://127.0.0.1:9/in', signingSecret: 'super-secret-value' },
    });
    expect(connector.config.signingSecret).toBe('[redacted]');
    const rows = await t.runtime.database.query(sql`select config, secrets from connectors where id = 'hook-out'`);
    expect(JSON.stringify(rows)).not.toContain('super-secret-value');
    const resolved = await t.runtime.connectors.resolve('hook-out');
    expect(resolved.config.signingSecret).toBe('super-secret-value');
  });

  it('rejects a config that does not match the component schema, naming the field', async () => {
    await expect(
      t.runtime.connectors.create({ id: 'bad', plugin: 'test-out', component: 'destination', config: { url: 'not a url' } }),
    ).rejects.toMatchObject({ status: 400, issues: expect.arrayContaining([expect.objectContaining({ path: 'config.url' })]) });
  });
});
