// The hubspot contacts stream run by the host's pull runner on PostgreSQL: contacts become
// identify events and profiles, and a second sync after a change picks up only what changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from '@weft/plugin-sdk/testing';
import { createTestRuntime, type TestRuntime } from '../../../core/test-support/index.js';
import { IngestWriter } from '../../../core/src/ingest/writer.js';
import { PipelineWorker } from '../../../core/src/engine/pipeline-worker.js';
import { PullRunner } from '../../../core/src/engine/pull-runner.js';
import { hubspotFake, type HubSpotFake } from './fakes/hubspot.js';

const accessToken = 'pat-na1-pull-token-0123456789';
const contact = (id: string, email: string, modified: string) => ({
  id,
  properties: { email, firstname: `First ${id}`, lastname: 'Pull', hs_object_id: id, lastmodifieddate: modified, createdate: modified },
});

describe('hubspot contacts pulled by the host', () => {
  let test: TestRuntime;
  let ingest: IngestWriter;
  let runner: PullRunner;
  let vendor: FakeServer;
  let hubspot: HubSpotFake;

  beforeAll(async () => {
    hubspot = hubspotFake({
      accessToken,
      contacts: [contact('101', 'ada@example.com', '2026-11-01T10:00:00.000Z'), contact('102', 'joy@example.com', '2026-11-01T10:00:00.000Z'), contact('103', 'kim@example.com', '2026-11-02T08:00:00.000Z')],
    });
    vendor = await startFakeServer(hubspot.handler);
    test = await createTestRuntime();
    ingest = new IngestWriter(test.runtime);
    runner = new PullRunner(test.runtime, ingest);
    await test.runtime.connectors.create({ id: 'hubspot-in', plugin: 'crm', component: 'hubspot-source', config: { accessToken, baseUrl: vendor.url, pageSize: 2 } });
  });

  afterAll(async () => {
    await runner?.stop();
    await vendor?.close();
    await ingest?.close();
    await test?.cleanup();
  });

  it('turns every contact into a profile, then reads only what changed since the saved cursor', async () => {
    const [first] = await runner.syncConnector('hubspot-in');
    expect(first).toMatchObject({ stream: 'contacts', records: 3, accepted: 3 });
    while ((await new PipelineWorker(test.runtime).processBatch()) > 0);
    for (const email of ['ada@example.com', 'joy@example.com', 'kim@example.com']) {
      expect((await test.runtime.identity.profiles.lookup(`email:${email}`)).traits).toMatchObject({ email, lastName: 'Pull' });
    }

    hubspot.contacts.set('102', contact('102', 'joy@example.com', '2026-11-03T09:00:00.000Z'));
    hubspot.contacts.get('102')!.properties['firstname'] = 'Joyce';
    const [second] = await runner.syncConnector('hubspot-in');
    expect(second).toMatchObject({ stream: 'contacts', accepted: 1 });
    while ((await new PipelineWorker(test.runtime).processBatch()) > 0);
    expect((await test.runtime.identity.profiles.lookup('email:joy@example.com')).traits).toMatchObject({ firstName: 'Joyce' });
  });
});
