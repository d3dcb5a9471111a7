/** A validation issue as zod reports it. */
interface Issue {
  path: PropertyKey[];
  message: string;
}

/**
 * Turns zod issues into `path: message` lines a person can act on; `whole` names the value
 * itself when an issue has no path.
 *
 * @example
 * describeIssues(schema.safeParse(config).error.issues, '(config)') // ['url: Invalid URL', 'token: Required']
 */
export function describeIssues(issues: readonly Issue[], whole = '(value)'): string[] {
  return issues.map((issue) => `${issue.path.map(String).join('.') || whole}: ${issue.message}`);
}
