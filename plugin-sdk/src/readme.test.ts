/** The test code shown in plugin-sdk/README.md, run against the README's plugin. */
import { expect, it } from 'vitest';
import { createHarness, runConformance, startFakeServer } from '@weft/plugin-sdk/testing';
import plugin from '../examples/readme/index.js';

// Every requirement the host relies on, as vitest tests, against a fake vendor on 127.0.0.1.
runConformance(plugin, {
  components: {
    destination: { config: (vendorUrl) => ({ baseUrl: vendorUrl, apiKey: 'test-key-0123456789' }), events: [{ type: 'track', event: 'Signed Up', userId: 'u1' }] },
  },
});

it('sends the event name', async () => {
  const vendor = await startFakeServer({ 'POST /v1/events': { status: 202 } });
  const destination = createHarness(plugin).destination('destination', { config: { baseUrl: vendor.url, apiKey: 'test-key-0123456789' } });
  const run = await destination.send('trackEvent', [{ type: 'track', event: 'Signed Up', userId: 'u1' }]);
  expect(run.results[0]).toMatchObject({ status: 'ok' });
  expect(vendor.requests[0]!.json).toEqual({ userId: 'u1', name: 'Signed Up' });
  await vendor.close();
});
