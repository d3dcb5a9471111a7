import { z } from 'zod';
import { secret } from '@weft/plugin-sdk';

/** Where Acme's API is and the key to call it with. */
export const acmeApiConfig = z.object({
  baseUrl: z.url().default('https://api.acme.example'),
  apiKey: secret('Acme private API key'),
});

/** The source also verifies the signature on Acme's webhooks. */
export const acmeSourceConfig = acmeApiConfig.extend({
  signingSecret: secret('The secret Acme signs its webhooks with'),
});

export type AcmeApiConfig = z.output<typeof acmeApiConfig>;
