import { count, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { identities } from '../db/schema/index.js';
import { WeftError, type FieldIssue } from '../errors.js';
import { unsafePatternReason } from './blocked-patterns.js';
import type { IdentifierType, IdentifierTypeInput } from './types.js';

/** A change an identifier type cannot take; 409 when stored identities forbid it, else 400. */
export interface TypeChangeProblem {
  field: string;
  message: string;
  status: 400 | 409;
}

/** Default blocked values and patterns that were in force before a change and are not after it. */
export interface DroppedDefaults {
  blocked: string[];
  blockedPatterns: string[];
}

/** What a `PUT /identity/types/:type` (or an apply) would make of a type, and what forbids it. */
export interface TypeChange {
  current: IdentifierType;
  next: IdentifierType;
  droppedDefaults: DroppedDefaults;
  problems: TypeChangeProblem[];
}

const maxBlocked = 1_000;
const maxBlockedPatterns = 100;

/**
 * The type after a change: fields given replace the ones in force, `blocked`/`blockedPatterns`
 * replace the list, `addBlocked`/`addBlockedPatterns` append to it (after any replacement).
 *
 * @example
 * changedDefinition(email, { addBlockedPatterns: ['@mailinator\\.com$'] }).blockedPatterns
 * // → ['^(no-?reply|donotreply|mailer-daemon)@', '@mailinator\\.com$']
 */
export function changedDefinition(current: IdentifierType, input: IdentifierTypeInput): IdentifierType {
  const { addBlocked = [], addBlockedPatterns = [], ...fields } = input;
  const next: IdentifierType = { ...current, ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) };
  const blocked = withAdded(next.blocked, addBlocked, (value) => value.toLowerCase());
  const blockedPatterns = withAdded(next.blockedPatterns, addBlockedPatterns, (pattern) => pattern);
  return { ...next, blocked, blockedPatterns };
}

/** Which of the type's defaults a change removes (blocked values compare case-insensitively, as they match). */
export function droppedDefaults(defaults: IdentifierType, before: IdentifierType, after: IdentifierType): DroppedDefaults {
  const lower = (values: string[]) => new Set(values.map((value) => value.toLowerCase()));
  const [blockedBefore, blockedAfter] = [lower(before.blocked), lower(after.blocked)];
  return {
    blocked: defaults.blocked.filter((value) => blockedBefore.has(value.toLowerCase()) && !blockedAfter.has(value.toLowerCase())),
    blockedPatterns: defaults.blockedPatterns.filter((pattern) => before.blockedPatterns.includes(pattern) && !after.blockedPatterns.includes(pattern)),
  };
}

/**
 * What forbids a change. `scoped` is fixed for built-in types: the host reads `user_id`, `email`, …
 * without a scope and `wechat_openid` with one, so flipping it would drop them from every event and
 * hide the stored ones. A custom type keeps its `scoped` while identities of it are stored, for the
 * same reason. Every blocked pattern given must run in linear time.
 */
export async function typeChangeProblems(db: Db, change: { defaults: IdentifierType; current: IdentifierType; next: IdentifierType }, input: IdentifierTypeInput): Promise<TypeChangeProblem[]> {
  const { defaults, current, next } = change;
  const problems: TypeChangeProblem[] = [];
  if (defaults.builtIn && input.scoped !== undefined && input.scoped !== defaults.scoped) {
    problems.push({
      field: 'scoped',
      status: 400,
      message: `Identifier type '${defaults.type}' is built in, and scoped is fixed for it (it is ${defaults.scoped ? '' : 'not '}scoped): its identifiers arrive and are stored ${defaults.scoped ? 'with' : 'without'} a scope, and would no longer be found; use a custom type for ${defaults.scoped ? 'unscoped' : 'scoped'} values`,
    });
  } else if (next.scoped !== current.scoped) {
    const stored = await storedIdentities(db, current.type);
    if (stored > 0) {
      const them = stored === 1 ? 'it' : 'them';
      problems.push({
        field: 'scoped',
        status: 409,
        message: `Identifier type '${current.type}' has ${stored} stored ${stored === 1 ? 'identity' : 'identities'} ${current.scoped ? 'with' : 'without'} a scope; making the type ${next.scoped ? 'scoped' : 'unscoped'} would make ${them} unreachable (no lookup, merge or unmerge would find ${them}); keep scoped as it is, or use a new type name`,
      });
    }
  }
  for (const field of ['blockedPatterns', 'addBlockedPatterns'] as const) {
    for (const [index, pattern] of (input[field] ?? []).entries()) {
      const reason = await unsafePatternReason(pattern);
      if (reason) problems.push({ field: `${field}.${index}`, status: 400, message: `Identifier type '${current.type}' cannot block with the pattern '${pattern}': it ${reason}` });
    }
  }
  if (next.blocked.length > maxBlocked) {
    problems.push({ field: 'addBlocked', status: 400, message: `Identifier type '${current.type}' would block ${next.blocked.length} values; at most ${maxBlocked}` });
  }
  if (next.blockedPatterns.length > maxBlockedPatterns) {
    problems.push({ field: 'addBlockedPatterns', status: 400, message: `Identifier type '${current.type}' would have ${next.blockedPatterns.length} blocked patterns; at most ${maxBlockedPatterns}` });
  }
  return problems;
}

/** The error a refused change answers: 409 when stored identities forbid it, else 400; one issue per problem. */
export function typeChangeError(type: string, problems: TypeChangeProblem[]): WeftError {
  const status = problems.some((problem) => problem.status === 409) ? 409 : 400;
  const issues: FieldIssue[] = problems.map((problem) => ({ path: problem.field, message: problem.message }));
  const message = problems.length === 1 ? problems[0]!.message : `Identifier type '${type}' cannot take this change: ${problems.length} problems; see issues`;
  return new WeftError(status, status === 409 ? 'conflict' : 'invalid', message, issues);
}

async function storedIdentities(db: Db, type: string): Promise<number> {
  const [row] = await db.select({ stored: count() }).from(identities).where(eq(identities.type, type));
  return row?.stored ?? 0;
}

function withAdded(list: string[], added: string[], key: (item: string) => string): string[] {
  const seen = new Set(list.map(key));
  const result = [...list];
  for (const item of added) {
    if (seen.has(key(item))) continue;
    seen.add(key(item));
    result.push(item);
  }
  return result;
}
