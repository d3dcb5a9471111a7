/** A field-level problem in a request, config or event: `path` points at the field. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * An error a person can act on. The HTTP layer turns it into `{ error: { code, message, issues } }`
 * with `status`; the CLI prints `message` and the issues.
 */
export class WeftError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'WeftError';
  }
}

export const notFound = (what: string, id: string) => new WeftError(404, 'not_found', `${what} '${id}' does not exist`);
export const conflict = (message: string) => new WeftError(409, 'conflict', message);
export const invalid = (message: string, issues: FieldIssue[] = []) => new WeftError(400, 'invalid', message, issues);

/** Turns zod issues into field issues with dotted paths (`batch.3.userId`). */
export function zodIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>, prefix = ''): FieldIssue[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return { path: prefix && path ? `${prefix}.${path}` : prefix || path || '(root)', message: issue.message };
  });
}
