// `weft connectors test <id>` for every first-party component that has a check(), through the
// real CLI against a real server: pointed at its vendor's fake with a wrong credential, at a port
// nothing listens on, and at the fake with the right credential. Each answer is one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServer } from '@weft/plugin-sdk/testing';
import { hubspotFake } from '../../plugins/crm/test/fakes/hubspot.js';
import { salesforceFake } from '../../plugins/crm/test/fakes/salesforce.js';
import { startFakeSendgrid } from '../../plugins/email/test/fake-sendgrid.js';
import { startSmtpServer } from '../../plugins/email/test/smtp-server.js';
import { aliyunFake } from '../../plugins/sms/test/fakes/aliyun.js';
import { tencentFake } from '../../plugins/sms/test/fakes/tencent.js';
import { twilioFake } from '../../plugins/sms/test/fakes/twilio.js';
import { startFakeWeChat } from '../../plugins/wechat/test/fake-wechat.js';
import { closedPort, startTestServer, weft, type CliResult, type TestServer } from './support.js';

// Every fake accepts `credential` and nothing else: the secret each vendor checks (token, key, password).
const credential = 'right-credential-0123456789';
const wrongCredential = 'wrong-credential-0123456789';

/** Where a connector is pointed: its vendor's fake, or a port nothing listens on. */
interface Endpoint {
  host: string;
  port: number;
  url: string;
}

interface Vendor {
  endpoint: Endpoint;
  close(): Promise<void>;
}

interface CheckedComponent {
  plugin: string;
  component: string;
  /** Starts the vendor's fake on 127.0.0.1, accepting `credential` only. */
  startVendor(): Promise<Vendor>;
  /** The connector's config pointed at `endpoint`, with `secret` as its credential. */
  config(endpoint: Endpoint, secret: string): Record<string, unknown>;
  /** How the check words a refused credential. */
  refused: RegExp;
}

function endpointAt(url: string): Endpoint {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port), url };
}

const vendorAt = (server: { url: string; close(): Promise<void> }): Vendor => ({ endpoint: endpointAt(server.url), close: () => server.close() });

const hubspot = (component: string): CheckedComponent => ({
  plugin: 'crm',
  component,
  startVendor: async () => vendorAt(await startFakeServer(hubspotFake({ accessToken: credential }).handler)),
  config: (at, secret) => ({ accessToken: secret, baseUrl: at.url }),
  refused: /^auth failed: HubSpot refused the private app token for the contact lookup \(401 INVALID_AUTHENTICATION: .+\); check accessToken$/,
});

const salesforceClientId = '3MVG9-weft-check';
const salesforce = (component: string): CheckedComponent => ({
  plugin: 'crm',
  component,
  startVendor: async () => vendorAt(await startFakeServer(salesforceFake({ clientId: salesforceClientId, clientSecret: credential, externalIdField: 'Weft_Id__c' }).handler)),
  config: (at, secret) => ({ loginUrl: at.url, clientId: salesforceClientId, clientSecret: secret, externalIdField: 'Weft_Id__c' }),
  refused: /^auth failed: Salesforce refused the client credentials sign-in \(invalid_client: invalid client credentials\); check clientId, clientSecret$/,
});

const wechatAppId = 'wxweftcheck0001';
const wechat = (component: string): CheckedComponent => ({
  plugin: 'wechat',
  component,
  startVendor: async () => vendorAt(await startFakeWeChat({ [wechatAppId]: { secret: credential, users: [], templates: [] } })),
  config: (at, secret) => ({ appId: wechatAppId, appSecret: secret, apiBaseUrl: at.url }),
  refused: /^auth failed: WeChat refused the appSecret of appId 'wxweftcheck0001' \(40125 invalid appsecret.*\); copy the current AppSecret from the console$/,
});

const twilioAccountSid = `AC${'0123456789abcdef'.repeat(2)}`;

const components: CheckedComponent[] = [
  hubspot('hubspot'),
  hubspot('hubspot-source'),
  salesforce('salesforce'),
  salesforce('salesforce-source'),
  {
    plugin: 'email',
    component: 'smtp',
    startVendor: async () => {
      const relay = await startSmtpServer({ auth: { user: 'weft', pass: credential } });
      return { endpoint: { host: relay.host, port: relay.port, url: `smtp://${relay.host}:${relay.port}` }, close: () => relay.close() };
    },
    // The test relay offers no STARTTLS.
    config: (at, secret) => ({ host: at.host, port: at.port, requireTLS: false, auth: { user: 'weft', pass: secret }, from: 'Acme <hello@acme.test>', subject: 'Hello', text: 'Hi.' }),
    refused: /^auth failed: SMTP server 127\.0\.0\.1:\d+ refused the login \(535 .*Authentication credentials invalid\): check auth\.user and auth\.pass$/,
  },
  {
    plugin: 'email',
    component: 'sendgrid',
    startVendor: async () => vendorAt(await startFakeSendgrid({ apiKey: credential })),
    config: (at, secret) => ({ apiKey: secret, baseUrl: at.url, from: { email: 'hello@acme.test' }, templateId: `d-${'0123456789abcdef'.repeat(2)}` }),
    refused: /^auth failed: SendGrid refused the API key \(401\): check apiKey$/,
  },
  {
    plugin: 'sms',
    component: 'aliyun',
    startVendor: async () => vendorAt(await startFakeServer(aliyunFake({ accounts: { 'LTAI-weft-check': credential } }).handler)),
    config: (at, secret) => ({ accessKeyId: 'LTAI-weft-check', accessKeySecret: secret, signName: 'Weft', templateCode: 'SMS_100001', endpoint: at.url }),
    refused: /^auth failed: Aliyun SMS refused QuerySmsTemplate: SignatureDoesNotMatch \(.+\); check accessKeyId and accessKeySecret$/,
  },
  {
    plugin: 'sms',
    component: 'tencent-cloud',
    startVendor: async () => vendorAt(await startFakeServer(tencentFake({ accounts: { 'AKID-weft-check': credential } }).handler)),
    config: (at, secret) => ({ secretId: 'AKID-weft-check', secretKey: secret, sdkAppId: '1400000001', signName: 'Weft', templateId: '100001', endpoint: at.url }),
    refused: /^auth failed: Tencent Cloud SMS refused DescribeSmsTemplateList: AuthFailure\.SignatureFailure \(.+\); check secretId, secretKey and sdkAppId$/,
  },
  {
    plugin: 'sms',
    component: 'twilio',
    startVendor: async () => vendorAt(await startFakeServer(twilioFake({ accountSid: twilioAccountSid, authToken: credential }).handler)),
    config: (at, secret) => ({ accountSid: twilioAccountSid, authToken: secret, from: '+15005550006', body: 'Hi {{firstName}}', endpoint: at.url }),
    refused: /^auth failed: Twilio refused the account lookup: error 20003 \(Authenticate\); check accountSid and authToken$/,
  },
  wechat('subscribe-message'),
  wechat('template-message'),
  wechat('mini-program'),
  {
    plugin: 'webhook',
    component: 'destination',
    startVendor: async () =>
      vendorAt(await startFakeServer((request) => (request.headers['authorization'] === `Bearer ${credential}` ? { status: 204 } : { status: 401, json: { error: 'unauthorized' } }))),
    config: (at, secret) => ({ url: `${at.url}/in`, signingSecret: 'a-long-signing-secret', authorization: `Bearer ${secret}` }),
    refused: /^auth failed: webhook receiver 127\.0\.0\.1:\d+ refused the credentials \(401 to OPTIONS\): check the 'authorization' field$/,
  },
];

describe('weft connectors test for every plugin with a check', { timeout: 30_000 }, () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t?.close());

  /** Creates the connector through the CLI, then runs `weft connectors test` on it. */
  async function addAndTest(id: string, { plugin, component }: CheckedComponent, config: Record<string, unknown>): Promise<CliResult> {
    const added = await weft(['connectors', 'add', id, '--plugin', plugin, '--component', component, '--config', JSON.stringify(config)], t.env);
    expect(added.code, added.stdout + added.stderr).toBe(0);
    return weft(['connectors', 'test', id], t.env);
  }

  describe.each(components.map((checked) => [`${checked.plugin}/${checked.component}`, checked] as const))('%s', (_, checked) => {
    const id = (outcome: string) => `${checked.plugin}-${checked.component}-${outcome}`;
    let vendor: Vendor;
    beforeAll(async () => {
      vendor = await checked.startVendor();
    });
    afterAll(async () => vendor?.close());

    it.concurrent('fails in one line saying the vendor refused the credential', async () => {
      const result = await addAndTest(id('refused'), checked, checked.config(vendor.endpoint, wrongCredential));
      expect(failureMessage(result, id('refused'))).toMatch(checked.refused);
    });

    it.concurrent('fails in one line saying where it could not connect, and why', async () => {
      const closed = endpointAt(`http://127.0.0.1:${await closedPort()}`);
      const message = failureMessage(await addAndTest(id('unreachable'), checked, checked.config(closed, credential)), id('unreachable'));
      expect(message).toMatch(/could not reach|unreachable/i);
      expect(message).toContain(`127.0.0.1:${closed.port}`);
      expect(message).toMatch(/connection (was )?refused|ECONNREFUSED/);
    });

    it.concurrent('passes with the right credential', async () => {
      const result = await addAndTest(id('ok'), checked, checked.config(vendor.endpoint, credential));
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(soleLine(result)).toMatch(new RegExp(`^ok ${id('ok')}: check passed \\(\\d+ ms\\)$`));
    });
  });
});

/** The one line a `weft connectors test` run printed; anything else (a stack trace, a warning, a secret) fails. */
function soleLine(result: CliResult): string {
  const output = result.stdout + result.stderr;
  expect(result.stderr, output).toBe('');
  expect(result.stdout, output).toMatch(/^[^\n]+\n$/);
  expect(output).not.toContain(credential);
  expect(output).not.toContain(wrongCredential);
  return result.stdout.trimEnd();
}

/** The message of a failed check's line `FAILED <id>: <message> (<n> ms)`, after checking the exit code and the shape. */
function failureMessage(result: CliResult, id: string): string {
  expect(result.code, result.stdout + result.stderr).toBe(1);
  const line = soleLine(result);
  const message = new RegExp(`^FAILED ${id}: (.+) \\(\\d+ ms\\)$`).exec(line)?.[1];
  expect(message, line).toBeDefined();
  return message!;
}
