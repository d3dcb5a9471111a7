import { z } from 'zod';
import { ConfigError, defineAction, defineDestination, fail, ok, retry, type DeliveryItem, type DeliveryResult, type PluginContext } from '@weft/plugin-sdk';
import { readJson } from '@weft/plugin-sdk';
import { callSalesforce, describeSObject, describeSalesforceErrors, salesforceConnection, type SalesforceErrors } from './client.js';

export const salesforceConfigSchema = z.object({
  ...salesforceConnection,
  sObject: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be an sObject API name like Contact').default('Contact').describe('sObject to upsert (Contact, Lead, Account or a custom object)'),
  externalIdField: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a field API name like Weft_Id__c').describe('External id field the upsert matches on, e.g. Weft_Id__c'),
});

export type SalesforceConfig = z.output<typeof salesforceConfigSchema>;
type Context = PluginContext<SalesforceConfig>;

/** The composite sObjects API takes at most 200 records per call. */
export const SALESFORCE_BATCH_LIMIT = 200;

const payloadSchema = z.object({
  externalId: z.string().min(1).describe('Value of the external id field'),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).describe('Field values by API name'),
});
type Payload = z.output<typeof payloadSchema>;

/** Weft traits → standard Contact fields. */
const traitFields: Record<string, string> = { email: 'Email', firstName: 'FirstName', lastName: 'LastName', phone: 'Phone', title: 'Title' };

function contactFields(traits: Record<string, unknown>): Payload['fields'] {
  const fields: Payload['fields'] = {};
  for (const [trait, field] of Object.entries(traitFields)) {
    const value = traits[trait];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[field] = value;
  }
  return fields;
}

type RecordResult = { id?: string; success?: boolean; created?: boolean; errors?: SalesforceErrors };

async function upsertRecords(items: DeliveryItem<Payload>[], ctx: Context): Promise<DeliveryResult[]> {
  const { apiVersion, sObject, externalIdField } = ctx.config;
  const records = items.map(({ payload }) => ({ attributes: { type: sObject }, ...payload.fields, [externalIdField]: payload.externalId }));
  const path = `/services/data/v${apiVersion}/composite/sobjects/${sObject}/${externalIdField}`;
  const response = await callSalesforce(ctx, 'PATCH', path, { allOrNone: false, records }, `the upsert of ${items.length} ${sObject} records`);
  const answer = await readJson(response);
  if (!response.ok) return items.map(() => fail(describeSalesforceErrors(response.status, answer)));
  const results = Array.isArray(answer) ? (answer as RecordResult[]) : [];
  // Salesforce answers one result per record, in the order sent.
  return items.map(({ payload }, index) => {
    const result = results[index];
    if (!result) return retry(`Salesforce gave no result for ${externalIdField}=${payload.externalId}`);
    if (result.success) return ok({ id: result.id, created: result.created });
    return fail(`Salesforce refused ${sObject} ${externalIdField}=${payload.externalId}: ${describeSalesforceErrors(200, result.errors).replace(/^Salesforce answered 200: /, '')}`);
  });
}

async function checkSalesforce(ctx: Context): Promise<void> {
  const fields = await describeSObject(ctx, ctx.config.sObject);
  const field = fields.find((candidate) => candidate.name === ctx.config.externalIdField);
  if (!field) throw new ConfigError(`Salesforce ${ctx.config.sObject} has no field ${ctx.config.externalIdField} the connected app's user can see; create it or fix externalIdField`);
  if (!field.externalId) throw new ConfigError(`Salesforce ${ctx.config.sObject}.${ctx.config.externalIdField} is not marked External ID; tick "External ID" on the field`);
}

/**
 * Upserts records into Salesforce by external id with the composite sObjects API.
 *
 * @example
 * // connector config
 * { "clientId": "3MVG9…", "clientSecret": "…", "loginUrl": "https://acme.my.salesforce.com", "externalIdField": "Weft_Id__c" }
 */
export const salesforceDestination = defineDestination({
  title: 'Salesforce records',
  description: 'Creates or updates Salesforce records by external id, 200 per composite call',
  config: salesforceConfigSchema,
  check: checkSalesforce,
  actions: {
    upsertRecord: defineAction(salesforceConfigSchema, {
      title: 'Upsert record',
      description: 'Creates or updates the record whose external id matches the userId, setting the mapped fields',
      payload: payloadSchema,
      types: ['identify'],
      defaultMapping: (event) => ({ externalId: event.userId ?? undefined, fields: contactFields({ ...event.context?.traits, ...event.traits }) }),
      batch: { maxItems: SALESFORCE_BATCH_LIMIT, maxWaitMs: 1_000 },
      performBatch: (items, ctx) => upsertRecords(items, ctx),
    }),
  },
});
