import { normalizeEmail, normalizePhone } from '@weft/plugin-sdk/pii';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { identifierTypes } from '../db/schema/index.js';
import { invalid, WeftError } from '../errors.js';
import { unsafePatternReason } from './blocked-patterns.js';
import { changedDefinition, droppedDefaults, typeChangeError, typeChangeProblems, type DroppedDefaults, type TypeChange } from './type-changes.js';

/** An ISO 3166 region code for national phone numbers (`CN`, `US`). */
export type PhoneRegion = NonNullable<NonNullable<Parameters<typeof normalizePhone>[1]>['defaultRegion']>;

export const normalizerNames = ['email', 'phone', 'lowercase', 'trim', 'none'] as const;
export type NormalizerName = (typeof normalizerNames)[number];

/** How one identifier type is normalised, limited, ranked and filtered (DESIGN §7). */
export interface IdentifierType {
  type: string;
  /** Scoped types (a WeChat openid) are only unique within their scope (the app id). */
  scoped: boolean;
  normalizer: NormalizerName;
  /** Most distinct values one profile may hold (per scope for scoped types); `null`: no limit. */
  limit: number | null;
  /** Higher wins: an event belongs to the profile of its highest-priority identifier. */
  priority: number;
  blocked: string[];
  blockedPatterns: string[];
  builtIn: boolean;
}

/** Placeholder values that SDKs and forms send for "nobody": never identifiers. */
const placeholders = ['null', 'undefined', 'nil', 'none', 'nan', '0', '-1', 'anonymous', 'unknown', 'n/a', 'na', 'test', '[object object]'];

const builtIn = (type: string, normalizer: NormalizerName, limit: number | null, priority: number, extra: Partial<IdentifierType> = {}): IdentifierType => ({
  type,
  scoped: false,
  normalizer,
  limit,
  priority,
  blocked: placeholders,
  blockedPatterns: [],
  builtIn: true,
  ...extra,
});

/** The default identifier types; `PUT /identity/types/:type` overrides any of them. */
export const defaultIdentifierTypes: IdentifierType[] = [
  builtIn('user_id', 'trim', 1, 100),
  builtIn('crm_id', 'trim', 1, 90),
  builtIn('email', 'email', 10, 80, {
    blocked: [...placeholders, 'test@test.com', 'test@example.com', 'noreply@example.com', 'no-reply@example.com'],
    blockedPatterns: ['^(no-?reply|donotreply|mailer-daemon)@'],
  }),
  builtIn('wechat_unionid', 'trim', 1, 75),
  builtIn('phone', 'phone', 5, 70, { blockedPatterns: ['^\\+\\d{1,3}(\\d)\\1{6,}$'] }),
  builtIn('wechat_openid', 'trim', 1, 60, { scoped: true }),
  builtIn('device_id', 'trim', 20, 20, { blocked: [...placeholders, '00000000-0000-0000-0000-000000000000'] }),
  builtIn('anonymous_id', 'trim', null, 10),
];

/** A custom type nobody configured: taken as is (trimmed), no limit, middling priority. */
const customDefaults = { scoped: false, normalizer: 'trim' as NormalizerName, limit: null, priority: 50, blocked: placeholders, blockedPatterns: [], builtIn: false };

/** What a type is when nothing is configured: its built-in default, or the custom-type defaults. */
export function defaultDefinition(type: string): IdentifierType {
  return defaultIdentifierTypes.find((definition) => definition.type === type) ?? { type, ...customDefaults };
}

/**
 * Longest identifier value (raw or normalised) taken; longer ones are `invalid`. It bounds the work
 * normalisers and blocked patterns do per value.
 */
export const maxIdentifierLength = 512;

const blockedValues = z.array(z.string().max(500)).max(1_000);
const blockedPatterns = z
  .array(
    z
      .string()
      .max(500)
      .refine((pattern) => compiles(pattern), 'must be a valid regular expression'),
  )
  .max(100);

export const identifierTypeInput = z
  .object({
    scoped: z.boolean().optional().meta({ description: 'Fixed for built-in types; a custom type keeps it while identities of it are stored' }),
    normalizer: z.enum(normalizerNames).optional(),
    limit: z.number().int().min(1).max(10_000).nullable().optional(),
    priority: z.number().int().min(0).max(1_000).optional(),
    blocked: blockedValues.optional().meta({ description: 'Replaces the blocked values (defaults included)' }),
    blockedPatterns: blockedPatterns.optional().meta({ description: 'Replaces the blocked patterns (defaults included); each must run in linear time' }),
    addBlocked: blockedValues.optional().meta({ description: 'Values to add to the blocked list in force' }),
    addBlockedPatterns: blockedPatterns.optional().meta({ description: 'Patterns to add to the blocked patterns in force; each must run in linear time' }),
  })
  .strict();
export type IdentifierTypeInput = z.output<typeof identifierTypeInput>;

export const typeNamePattern = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * A type name as an event or plugin wrote it, in the grammar every type name follows: trimmed,
 * lower-cased, any other character than `a-z`, `0-9` and `_` turned into `_`; `undefined` when even
 * that is no valid name (it must start with a letter and have at most 63 characters).
 *
 * @example
 * identifierTypeName('EMAIL') // → 'email'
 * identifierTypeName('Bad Type') // → 'bad_type'
 * identifierTypeName('42') // → undefined
 */
export function identifierTypeName(written: string): string | undefined {
  if (typeNamePattern.test(written)) return written;
  const name = written.trim().toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return typeNamePattern.test(name) ? name : undefined;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

/** An identifier after normalisation: `key` is what locks and lookups use. */
export interface NormalizedIdentifier {
  type: string;
  scope: string;
  value: string;
  priority: number;
  limit: number | null;
  key: string;
}

export const identifierKey = (type: string, scope: string, value: string) => `${type}\u0000${scope}\u0000${value}`;

/** Why a raw identifier was not taken, for the caller to report or count. */
export type Rejection = { type: string; value: string; reason: 'invalid' | 'blocked' | 'unscoped' };

/**
 * The identifier types in force: the defaults, overridden and extended by the `identifier_types`
 * table, with their blocked patterns compiled. Cached briefly: every event goes through it.
 */
export class IdentifierTypes {
  #cache: { until: number; types: Map<string, CompiledType> } | undefined;

  constructor(
    private readonly db: Db,
    readonly defaultRegion: PhoneRegion,
    private readonly ttlMs = 2_000,
  ) {}

  async list(): Promise<IdentifierType[]> {
    return [...(await this.#types()).values()].map((compiled) => compiled.definition);
  }

  /**
   * Stored blocked patterns that are not safe to run: ones saved before patterns were checked (or
   * written to the table by hand), which keep running on every identifier until replaced. The
   * built-in defaults are safe and not checked again.
   */
  async unsafeStoredPatterns(): Promise<Array<{ type: string; pattern: string; reason: string }>> {
    const builtInPatterns = new Set(defaultIdentifierTypes.flatMap((type) => type.blockedPatterns));
    const unsafe: Array<{ type: string; pattern: string; reason: string }> = [];
    for (const row of await this.db.select({ type: identifierTypes.type, blockedPatterns: identifierTypes.blockedPatterns }).from(identifierTypes).orderBy(identifierTypes.type)) {
      for (const pattern of row.blockedPatterns.filter((pattern) => !builtInPatterns.has(pattern) && compiles(pattern))) {
        const reason = await unsafePatternReason(pattern);
        if (reason) unsafe.push({ type: row.type, pattern, reason });
      }
    }
    return unsafe;
  }

  async get(type: string): Promise<IdentifierType> {
    return (await this.#types()).get(type)?.definition ?? defaultDefinition(type);
  }

  /**
   * What `put` would make of a type without changing it: the type in force and after, the
   * defaults the change drops, and the problems that would refuse it (`weft apply` plans with this).
   */
  async planChange(type: string, input: IdentifierTypeInput): Promise<TypeChange> {
    const current = await this.get(type);
    const next = changedDefinition(current, input);
    const defaults = defaultDefinition(type);
    const problems = await typeChangeProblems(this.db, { defaults, current, next }, input);
    return { current, next, droppedDefaults: droppedDefaults(defaults, current, next), problems };
  }

  /**
   * Sets a type's definition (unset fields keep their current value) and says which of its default
   * blocked values and patterns the change dropped. Refuses (400/409) what `planChange` finds wrong.
   */
  async put(type: string, input: IdentifierTypeInput): Promise<{ type: IdentifierType; droppedDefaults: DroppedDefaults }> {
    if (!typeNamePattern.test(type)) throw invalid(`Identifier type '${type}' must be lower-case letters, digits and '_', starting with a letter`);
    const { next, droppedDefaults, problems } = await this.planChange(type, input);
    if (problems.length > 0) throw typeChangeError(type, problems);
    const row = { scoped: next.scoped, normalizer: next.normalizer, maxPerProfile: next.limit, priority: next.priority, blocked: next.blocked, blockedPatterns: next.blockedPatterns, updatedAt: new Date() };
    await this.db.insert(identifierTypes).values({ type, ...row }).onConflictDoUpdate({ target: identifierTypes.type, set: row });
    this.#cache = undefined;
    return { type: await this.get(type), droppedDefaults };
  }

  /**
   * Drops a type's configuration: a built-in one returns to its default (a no-op when it has none).
   * A type that is neither built in nor configured is unknown (404); a scoped custom type with
   * stored identities cannot go back to unscoped (409).
   */
  async reset(type: string): Promise<void> {
    const [row] = await this.db.select().from(identifierTypes).where(eq(identifierTypes.type, type));
    const defaults = defaultDefinition(type);
    if (!row && !defaults.builtIn) {
      throw new WeftError(404, 'not_found', `Identifier type '${type}' does not exist: it is neither built in nor configured (GET /api/v1/identity/types and weft identity types list show the types)`);
    }
    if (row) {
      const problems = await typeChangeProblems(this.db, { defaults, current: await this.get(type), next: defaults }, {});
      if (problems.length > 0) throw typeChangeError(type, problems);
    }
    await this.db.delete(identifierTypes).where(eq(identifierTypes.type, type));
    this.#cache = undefined;
  }

  /**
   * Normalises one raw identifier, or says why it cannot be one.
   *
   * @example
   * await types.normalize('email', ' Ada@Example.COM ') // → { type: 'email', value: 'ada@example.com', … }
   */
  async normalize(type: string, rawValue: unknown, scope?: string): Promise<NormalizedIdentifier | Rejection> {
    const compiled = (await this.#types()).get(type) ?? compileType(defaultDefinition(type));
    return normalizeWith(compiled, rawValue, scope, this.defaultRegion);
  }

  /** A synchronous normaliser over the types in force now, for batches. */
  async normalizer(): Promise<(type: string, rawValue: unknown, scope?: string) => NormalizedIdentifier | Rejection> {
    const types = await this.#types();
    return (type, rawValue, scope) => normalizeWith(types.get(type) ?? compileType(defaultDefinition(type)), rawValue, scope, this.defaultRegion);
  }

  /**
   * Parses `type:value`, or `type:scope:value` for scoped types, as the API and CLI take them.
   *
   * @example
   * await types.parse('wechat_openid:wx5823bf96d3bd56c7:o6_bmjrPTlm6_2sgVt7hMZOPfL2M')
   */
  async parse(text: string): Promise<NormalizedIdentifier> {
    const colon = text.indexOf(':');
    if (colon <= 0) throw invalid(`Identifier '${text}' must look like type:value (email:ada@example.com), or type:scope:value for scoped types`);
    const type = text.slice(0, colon);
    let rest = text.slice(colon + 1);
    let scope: string | undefined;
    if ((await this.get(type)).scoped) {
      const second = rest.indexOf(':');
      if (second <= 0) throw invalid(`Identifier type '${type}' is scoped: write ${type}:<scope>:<value>`);
      scope = rest.slice(0, second);
      rest = rest.slice(second + 1);
    }
    const normalized = await this.normalize(type, rest, scope);
    if ('reason' in normalized) throw invalid(`'${rest}' is not a usable ${type} (${normalized.reason})`);
    return normalized;
  }

  async #types(): Promise<Map<string, CompiledType>> {
    if (this.#cache && this.#cache.until > Date.now()) return this.#cache.types;
    const rows = await this.db.select().from(identifierTypes);
    const definitions = new Map(defaultIdentifierTypes.map((definition) => [definition.type, definition]));
    for (const row of rows) {
      const builtIn = defaultIdentifierTypes.find((type) => type.type === row.type);
      definitions.set(row.type, {
        type: row.type,
        // Fixed for built-in types; a row written before that was enforced does not change it.
        scoped: builtIn ? builtIn.scoped : row.scoped,
        normalizer: row.normalizer as NormalizerName,
        limit: row.maxPerProfile,
        priority: row.priority,
        blocked: row.blocked,
        blockedPatterns: row.blockedPatterns,
        builtIn: builtIn !== undefined,
      });
    }
    const types = new Map([...definitions].map(([name, definition]) => [name, compileType(definition)]));
    this.#cache = { until: Date.now() + this.ttlMs, types };
    return types;
  }
}

interface CompiledType {
  definition: IdentifierType;
  blocked: Set<string>;
  patterns: RegExp[];
}

function compileType(definition: IdentifierType): CompiledType {
  return {
    definition,
    blocked: new Set(definition.blocked.map((value) => value.toLowerCase())),
    patterns: definition.blockedPatterns.filter(compiles).map((pattern) => new RegExp(pattern, 'i')),
  };
}

function normalizeWith(compiled: CompiledType, rawValue: unknown, scope: string | undefined, defaultRegion: PhoneRegion): NormalizedIdentifier | Rejection {
  const { definition } = compiled;
  const raw = typeof rawValue === 'number' && Number.isFinite(rawValue) ? String(rawValue) : rawValue;
  if (typeof raw !== 'string' || raw.length > maxIdentifierLength) return { type: definition.type, value: String(raw), reason: 'invalid' };
  if (compiled.blocked.has(raw.trim().toLowerCase())) return { type: definition.type, value: raw, reason: 'blocked' };
  const value = applyNormalizer(definition.normalizer, raw, defaultRegion);
  if (value === undefined || value.length === 0 || value.length > maxIdentifierLength) return { type: definition.type, value: raw, reason: 'invalid' };
  if (compiled.blocked.has(value.toLowerCase()) || compiled.patterns.some((pattern) => pattern.test(value))) return { type: definition.type, value: raw, reason: 'blocked' };
  const scopeValue = definition.scoped ? (scope ?? '').trim() : '';
  if (definition.scoped && !scopeValue) return { type: definition.type, value: raw, reason: 'unscoped' };
  return { type: definition.type, scope: scopeValue, value, priority: definition.priority, limit: definition.limit, key: identifierKey(definition.type, scopeValue, value) };
}

function applyNormalizer(name: NormalizerName, raw: string, defaultRegion: PhoneRegion): string | undefined {
  switch (name) {
    case 'email':
      return normalizeEmail(raw);
    case 'phone':
      return normalizePhone(raw, { defaultRegion });
    case 'lowercase':
      return raw.trim().toLowerCase();
    case 'trim':
      return raw.trim();
    case 'none':
      return raw;
  }
}
