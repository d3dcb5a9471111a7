import { z } from 'zod';
import { defineIdentityResolver, type Identifier } from '@weft/plugin-sdk';

export const acmeIds = defineIdentityResolver({
  description: "Links profiles by Acme contact id (traits.acmeContactId, as the Acme source sets it)",
  config: z.object({}),
  identifiers(event) {
    const id = event.traits?.['acmeContactId'] ?? event.properties?.['acmeContactId'];
    const identifiers: Identifier[] = [];
    if (typeof id === 'string' && id !== '') identifiers.push({ type: 'acme_contact_id', value: id });
    return identifiers;
  },
});
