import { z } from 'zod';
import { TransientError, ValidationError, defineSource, type Cursor, type EventInput, type PluginContext, type StreamMessage } from '@weft/plugin-sdk';
import { isPastCursor, isoTimestamp } from '../cursor.js';
import { readJson } from '@weft/plugin-sdk';
import { callSalesforce, describeSObject, describeSalesforceErrors, salesforceConnection } from './client.js';

const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a field API name like Email');

export const salesforceSourceConfigSchema = z.object({
  ...salesforceConnection,
  sObject: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be an sObject API name like Contact').default('Contact').describe('sObject to read'),
  fields: z.array(fieldName).default(['Email', 'FirstName', 'LastName', 'Phone']).describe('Fields to read; they become the traits'),
  userIdField: fieldName.optional().describe('Field whose value becomes userId, e.g. Weft_Id__c (otherwise the event carries anonymousId salesforce:<Id>)'),
});

export type SalesforceSourceConfig = z.output<typeof salesforceSourceConfigSchema>;
type Context = PluginContext<SalesforceSourceConfig> & { cursor: Cursor | undefined };

interface QueryAnswer {
  done?: boolean;
  records?: Array<Record<string, unknown> & { Id: string }>;
  nextRecordsUrl?: string;
}

/** Standard field names → Weft trait names; other fields keep their API name. */
const traitNames: Record<string, string> = { Email: 'email', FirstName: 'firstName', LastName: 'lastName', Phone: 'phone', Title: 'title' };

/**
 * The SOQL of one read. SOQL datetime literals have whole seconds, so it filters from the cursor's
 * second with `>=` and the reader skips what lies at or before the cursor.
 */
export function salesforceQuery(config: SalesforceSourceConfig, cursor: Cursor | undefined): string {
  const fields = [...new Set(['Id', 'SystemModstamp', ...config.fields, ...(config.userIdField ? [config.userIdField] : [])])];
  const since = cursor ? ` WHERE SystemModstamp >= ${new Date(Date.parse(String(cursor.value))).toISOString().replace(/\.\d{3}Z$/, 'Z')}` : '';
  return `SELECT ${fields.join(', ')} FROM ${config.sObject}${since} ORDER BY SystemModstamp ASC, Id ASC`;
}

function identifyFrom(record: Record<string, unknown> & { Id: string }, value: string, config: SalesforceSourceConfig): EventInput {
  const traits: Record<string, unknown> = {};
  for (const field of config.fields) {
    const fieldValue = record[field];
    if (fieldValue !== null && fieldValue !== undefined && fieldValue !== '') traits[traitNames[field] ?? field] = fieldValue;
  }
  const userId = config.userIdField ? record[config.userIdField] : undefined;
  return {
    type: 'identify',
    messageId: `salesforce:${record.Id}:${value}`,
    ...(typeof userId === 'string' && userId ? { userId } : { anonymousId: `salesforce:${record.Id}` }),
    traits,
    timestamp: value,
    context: { externalIds: [{ id: record.Id, type: `salesforce_${config.sObject.toLowerCase()}_id`, collection: 'users', encoding: 'none' }] },
  } as EventInput;
}

/** Reads records changed since the cursor, oldest first, following `nextRecordsUrl`; checkpoints `{ value: SystemModstamp, id: Id }` after each page. */
async function* readRecords(ctx: Context): AsyncIterable<StreamMessage> {
  const cursor = ctx.cursor;
  let path: string | undefined = `/services/data/v${ctx.config.apiVersion}/query?q=${encodeURIComponent(salesforceQuery(ctx.config, cursor))}`;
  while (path) {
    const response = await callSalesforce(ctx, 'GET', path, undefined, `the ${ctx.config.sObject} query`);
    const answer = (await readJson(response)) as QueryAnswer | undefined;
    if (!response.ok) throw new ValidationError(describeSalesforceErrors(response.status, answer), { status: response.status });
    if (!answer || !Array.isArray(answer.records)) throw new TransientError(`Salesforce answered the ${ctx.config.sObject} query without records`);
    let last: { value: string; id: string } | undefined;
    for (const record of answer.records) {
      const value = isoTimestamp(record['SystemModstamp']);
      if (!value) throw new TransientError(`Salesforce returned ${ctx.config.sObject} ${record.Id} without a readable SystemModstamp`);
      const position = { value, id: record.Id };
      if (!isPastCursor(position, cursor)) continue;
      yield { record: identifyFrom(record, value, ctx.config) };
      last = position;
    }
    if (last) yield { checkpoint: last };
    path = answer.done === false ? answer.nextRecordsUrl : undefined;
  }
}

/**
 * Pulls Salesforce records incrementally as identify events.
 *
 * @example
 * // connector config
 * { "clientId": "3MVG9…", "clientSecret": "…", "sObject": "Contact", "fields": ["Email", "FirstName", "LastName"] }
 */
export const salesforceSource = defineSource({
  title: 'Salesforce records (pull)',
  description: 'Reads records changed since the last run with SOQL by SystemModstamp, as identify events',
  config: salesforceSourceConfigSchema,
  async check(ctx) {
    await describeSObject(ctx, ctx.config.sObject);
  },
  streams: {
    records: { description: 'Records by SystemModstamp, then Id', read: readRecords },
  },
});
