import type { WeftClient } from './client.js';
import { profilePath } from './paths.js';
import type { ProfileLookup } from './types.js';
import { isIdentifier, parseIdentifier } from '../input/identifier.js';

/**
 * The profile an argument names: `GET /profiles?identifier=…` when it holds a `:`, else
 * `GET /profiles/:id` (which follows a merged-away id and says so in `redirectedFrom`).
 *
 * @example
 * const { profile } = await lookupProfile(client, 'email:ada@example.com');
 */
export function lookupProfile(client: WeftClient, idOrIdentifier: string): Promise<ProfileLookup> {
  if (isIdentifier(idOrIdentifier)) return client.get<ProfileLookup>('/profiles', { identifier: parseIdentifier(idOrIdentifier) });
  return client.get<ProfileLookup>(profilePath(idOrIdentifier));
}

/** The id of the profile an argument names, asking the server only when it is an identifier. */
export async function profileIdOf(client: WeftClient, idOrIdentifier: string): Promise<string> {
  return isIdentifier(idOrIdentifier) ? (await lookupProfile(client, idOrIdentifier)).profile.id : idOrIdentifier;
}
