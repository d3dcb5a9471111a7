import type { Identifier, WeftEvent } from '@weft/plugin-sdk';
import { identifierTypeName, type NormalizedIdentifier, type Rejection } from './types.js';

type Normalize = (type: string, rawValue: unknown, scope?: string) => NormalizedIdentifier | Rejection;

/**
 * The identifiers the host reads from every event (DESIGN §7): `userId`, `anonymousId`,
 * `traits`/`context.traits` `email` and `phone`, and `context.externalIds`.
 */
export function builtInIdentifiers(event: WeftEvent): Identifier[] {
  const found: Identifier[] = [];
  const add = (type: string, value: unknown, scope?: string) => {
    if (value === undefined || value === null || value === '') return;
    found.push(scope === undefined ? { type, value: String(value) } : { type, value: String(value), scope });
  };
  add('user_id', event.userId);
  add('anonymous_id', event.anonymousId);
  const traits = event.type === 'identify' ? event.traits : undefined;
  const contextTraits = event.context?.traits;
  for (const source of [traits, contextTraits]) {
    if (!source) continue;
    add('email', source['email']);
    add('phone', source['phone']);
  }
  for (const external of event.context?.externalIds ?? []) add(external.type, external.id, external.scope);
  return found;
}

export interface ExtractedIdentifiers {
  /** Normalised, distinct, highest priority first. */
  identifiers: NormalizedIdentifier[];
  rejected: Rejection[];
}

/**
 * Normalises raw identifiers; drops blocked and invalid ones and duplicates; sorts by priority.
 * Type names are brought to the type-name grammar first (`EMAIL` → `email`, `Bad Type` →
 * `bad_type`); an identifier whose type still is no valid name is rejected as `invalid`.
 */
export function normalizeIdentifiers(raw: Identifier[], normalize: Normalize): ExtractedIdentifiers {
  const byKey = new Map<string, NormalizedIdentifier>();
  const rejected: Rejection[] = [];
  for (const identifier of raw) {
    const type = identifierTypeName(identifier.type);
    if (type === undefined) {
      rejected.push({ type: identifier.type, value: String(identifier.value), reason: 'invalid' });
      continue;
    }
    const result = normalize(type, identifier.value, identifier.scope);
    if ('reason' in result) rejected.push(result);
    else if (!byKey.has(result.key)) byKey.set(result.key, result);
  }
  const identifiers = [...byKey.values()].sort((a, b) => b.priority - a.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { identifiers, rejected };
}

/** The traits an event sets on its profile: an identify's `traits`, then any event's `context.traits`. */
export function eventTraits(event: WeftEvent): Record<string, unknown> | null {
  const traits = { ...(event.context?.traits ?? {}), ...(event.type === 'identify' ? (event.traits ?? {}) : {}) };
  return Object.keys(traits).length > 0 ? traits : null;
}

/** When the event happened: its (skew-corrected) timestamp, else when it was received. */
export function occurredAt(event: WeftEvent): Date {
  const candidates = [event.timestamp, event.originalTimestamp, event.receivedAt];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string' && typeof candidate !== 'number') continue;
    const date = new Date(candidate);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return new Date();
}
