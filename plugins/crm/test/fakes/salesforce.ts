// The Salesforce REST API as its public docs describe it: the OAuth 2.0 token endpoint (client
// credentials and refresh-token flows, `{error, error_description}` refusals), bearer sessions that
// expire (401 INVALID_SESSION_ID), composite sObject upserts by external id (at most 200 records,
// per-record results in order), SOQL queries paged with nextRecordsUrl, describe, and the
// `[{message, errorCode}]` error shape including REQUEST_LIMIT_EXCEEDED.
import { randomBytes } from 'node:crypto';
import type { FakeHandler, FakeRequest, FakeResponse } from '@weft/plugin-sdk/testing';

export interface SalesforceRecord {
  Id: string;
  SystemModstamp: string;
  [field: string]: unknown;
}

export interface SalesforceFakeOptions {
  clientId: string;
  clientSecret: string;
  /** When set, the refresh-token flow needs this token; the client credentials flow works either way. */
  refreshToken?: string;
  sObject?: string;
  externalIdField: string;
  /** Fields a new record must have (LastName for Contact). */
  requiredFields?: string[];
  records?: SalesforceRecord[];
  /** Records per query page (Salesforce's default is 2000). */
  pageSize?: number;
}

export interface SalesforceFake {
  handler: FakeHandler;
  records: SalesforceRecord[];
  /** Token grants received, by grant type. */
  grants: string[];
  /** Every composite upsert body received. */
  upserts: Array<{ allOrNone?: boolean; records: Array<Record<string, unknown>> }>;
  /** Invalidates every session issued so far, as a timeout or a revoked session does. */
  expireSessions(): void;
  /** The next `count` API calls are refused with REQUEST_LIMIT_EXCEEDED. */
  exhaustLimitFor(count: number): void;
}

const restError = (status: number, errorCode: string, message: string): FakeResponse => ({ status, json: [{ message, errorCode }] });
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const modstamp = (time: string) => new Date(Date.parse(time)).toISOString().replace('Z', '+0000');

export function salesforceFake(options: SalesforceFakeOptions): SalesforceFake {
  const sObject = options.sObject ?? 'Contact';
  const records = options.records ?? [];
  const grants: string[] = [];
  const upserts: SalesforceFake['upserts'] = [];
  const sessions = new Set<string>();
  const cursors = new Map<string, { rows: SalesforceRecord[]; fields: string[]; offset: number }>();
  let limitedFor = 0;
  let nextId = 1;
  const version = /^\/services\/data\/v(\d+\.\d)\//;

  const token = (request: FakeRequest): FakeResponse => {
    const form = new URLSearchParams(request.body);
    const grant = form.get('grant_type') ?? '';
    grants.push(grant);
    if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret) {
      return { status: 400, json: { error: 'invalid_client', error_description: 'invalid client credentials' } };
    }
    if (grant === 'refresh_token' && (!options.refreshToken || form.get('refresh_token') !== options.refreshToken)) {
      return { status: 400, json: { error: 'invalid_grant', error_description: 'expired access/refresh token' } };
    }
    if (grant !== 'refresh_token' && grant !== 'client_credentials') return { status: 400, json: { error: 'unsupported_grant_type', error_description: 'grant type not supported' } };
    const accessToken = `00D000000000001!${randomBytes(24).toString('base64url')}`;
    sessions.add(accessToken);
    return {
      json: { access_token: accessToken, instance_url: `http://${request.headers['host']}`, id: `http://${request.headers['host']}/id/00D000000000001EAA/005000000000001AAA`, token_type: 'Bearer', issued_at: String(Date.now()), signature: randomBytes(32).toString('base64') },
    };
  };

  const upsert = (request: FakeRequest, field: string): FakeResponse => {
    if (field !== options.externalIdField) return restError(400, 'INVALID_FIELD', `Field ${field} is not an external id field of ${sObject}`);
    const body = request.json as SalesforceFake['upserts'][number] | undefined;
    if (!body || !Array.isArray(body.records)) return restError(400, 'JSON_PARSER_ERROR', 'records is required');
    upserts.push(body);
    if (body.records.length > 200) return restError(400, 'EXCEEDED_ID_LIMIT', 'Number of records in the request exceeds the limit of 200');
    return {
      json: body.records.map((record) => {
        if ((record['attributes'] as { type?: string } | undefined)?.type !== sObject) return { success: false, errors: [{ statusCode: 'INVALID_TYPE', message: `attributes.type must be ${sObject}`, fields: [] }] };
        const externalId = record[field];
        if (typeof externalId !== 'string' || externalId === '') return { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: `${field} not specified`, fields: [field] }] };
        const existing = records.find((row) => row[field] === externalId);
        const missing = existing ? [] : (options.requiredFields ?? []).filter((name) => record[name] === undefined || record[name] === null || record[name] === '');
        if (missing.length) return { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: `Required fields are missing: [${missing.join(', ')}]`, fields: missing }] };
        if (record['Email'] !== undefined && !EMAIL.test(String(record['Email']))) {
          return { success: false, errors: [{ statusCode: 'INVALID_EMAIL_ADDRESS', message: `Email: invalid email address: ${String(record['Email'])}`, fields: ['Email'] }] };
        }
        const { attributes: _attributes, ...fields } = record;
        const row = existing ?? { Id: `003${String(nextId++).padStart(15, '0')}`, SystemModstamp: '' };
        Object.assign(row, fields, { SystemModstamp: modstamp(new Date().toISOString()) });
        if (!existing) records.push(row);
        return { id: row.Id, success: true, errors: [], created: !existing };
      }),
    };
  };

  const page = (apiVersion: string, locator: string): FakeResponse => {
    const cursor = cursors.get(locator)!;
    const size = options.pageSize ?? 2000;
    const rows = cursor.rows.slice(cursor.offset, cursor.offset + size);
    const done = cursor.offset + size >= cursor.rows.length;
    const next = `${locator.split('-')[0]}-${cursor.offset + size}`;
    if (!done) cursors.set(next, { ...cursor, offset: cursor.offset + size });
    return {
      json: {
        totalSize: cursor.rows.length,
        done,
        ...(done ? {} : { nextRecordsUrl: `/services/data/v${apiVersion}/query/${next}` }),
        records: rows.map((row) => ({ attributes: { type: sObject, url: `/services/data/v${apiVersion}/sobjects/${sObject}/${row.Id}` }, ...Object.fromEntries(cursor.fields.map((name) => [name, row[name] ?? null])) })),
      },
    };
  };

  const query = (apiVersion: string, soql: string): FakeResponse => {
    const match = /^SELECT (.+) FROM (\w+)(?: WHERE SystemModstamp >= (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ))? ORDER BY SystemModstamp ASC, Id ASC$/.exec(soql);
    if (!match) return restError(400, 'MALFORMED_QUERY', `the fake understands only the incremental query, got: ${soql}`);
    if (match[2] !== sObject) return restError(400, 'INVALID_TYPE', `sObject type '${match[2]}' is not supported.`);
    const since = match[3] ? Date.parse(match[3]) : -Infinity;
    const rows = records
      .filter((row) => Date.parse(row.SystemModstamp.replace('+0000', 'Z')) >= since)
      .sort((a, b) => Date.parse(a.SystemModstamp.replace('+0000', 'Z')) - Date.parse(b.SystemModstamp.replace('+0000', 'Z')) || (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
    const locator = `01gD0000002${randomBytes(4).toString('hex').toUpperCase()}-0`;
    cursors.set(locator, { rows, fields: match[1]!.split(',').map((name) => name.trim()), offset: 0 });
    return page(apiVersion, locator);
  };

  const handler: FakeHandler = (request) => {
    if (request.method === 'POST' && request.path === '/services/oauth2/token') return token(request);
    const session = /^Bearer (.+)$/.exec(request.headers['authorization'] ?? '')?.[1];
    if (!session || !sessions.has(session)) return restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (limitedFor > 0) {
      limitedFor--;
      return restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    const apiVersion = version.exec(request.path)?.[1];
    if (!apiVersion || Number(apiVersion) < 46) return restError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const rest = request.path.slice(`/services/data/v${apiVersion}`.length);
    const composite = new RegExp(`^/composite/sobjects/${sObject}/(\\w+)$`).exec(rest);
    if (request.method === 'PATCH' && composite) return upsert(request, composite[1]!);
    if (request.method === 'GET' && rest === '/query') return query(apiVersion, request.query['q'] ?? '');
    if (request.method === 'GET' && rest.startsWith('/query/') && cursors.has(rest.slice('/query/'.length))) return page(apiVersion, rest.slice('/query/'.length));
    if (request.method === 'GET' && rest === `/sobjects/${sObject}/describe`) {
      const names = ['Id', 'SystemModstamp', 'Email', 'FirstName', 'LastName', 'Phone', 'Title'];
      return { json: { name: sObject, fields: [...names.map((name) => ({ name, externalId: false, idLookup: name === 'Id' || name === 'Email' })), { name: options.externalIdField, externalId: true, idLookup: true }] } };
    }
    return restError(404, 'NOT_FOUND', 'The requested resource does not exist');
  };

  return {
    handler,
    records,
    grants,
    upserts,
    expireSessions: () => sessions.clear(),
    exhaustLimitFor(count) {
      limitedFor = count;
    },
  };
}
