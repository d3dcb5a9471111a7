import { runConformance } from '@weft/plugin-sdk/testing';
import plugin from './index.js';
import { hubspotFake } from '../test/fakes/hubspot.js';
import { salesforceFake } from '../test/fakes/salesforce.js';

const accessToken = 'pat-na1-conformance-token';
const salesforce = { clientId: '3MVG9-conformance', clientSecret: 'sf-conformance-secret' };
const events = [
  { type: 'identify' as const, userId: 'u1', traits: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' } },
  { type: 'identify' as const, userId: 'u2', traits: { email: 'alan@example.com', firstName: 'Alan', lastName: 'Turing' } },
];
const contacts = [1, 2, 3].map((n) => ({ id: String(n), properties: { email: `c${n}@example.com`, firstname: `C${n}`, hs_object_id: String(n), lastmodifieddate: `2026-01-0${n}T00:00:00.000Z` } }));
const records = [1, 2].map((n) => ({ Id: `003A0000000000${n}AAA`, SystemModstamp: `2026-01-0${n}T00:00:00.000+0000`, Email: `r${n}@example.com`, LastName: `R${n}` }));

runConformance(plugin, {
  timeoutMs: 300,
  components: {
    hubspot: { config: (baseUrl) => ({ accessToken, baseUrl }), vendor: hubspotFake({ accessToken }).handler, events },
    'hubspot-source': { config: (baseUrl) => ({ accessToken, baseUrl }), vendor: hubspotFake({ accessToken, contacts }).handler },
    salesforce: {
      config: (loginUrl) => ({ ...salesforce, loginUrl, externalIdField: 'Weft_Id__c' }),
      vendor: salesforceFake({ ...salesforce, externalIdField: 'Weft_Id__c', requiredFields: ['LastName'] }).handler,
      events,
    },
    'salesforce-source': { config: (loginUrl) => ({ ...salesforce, loginUrl }), vendor: salesforceFake({ ...salesforce, externalIdField: 'Weft_Id__c', records }).handler },
  },
});
