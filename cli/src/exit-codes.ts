/**
 * What `weft` exits with, so scripts can tell failures apart. Documented in docs/cli.md.
 *
 * @example
 * weft connectors status crm-out || [ $? -eq 3 ] && echo "no such connector"
 */
export const ExitCode = {
  ok: 0,
  /** The operation ran and failed: a connector test failed, the server answered 409 or 5xx. */
  failed: 1,
  /** Bad usage or input: unknown flag, invalid JSON/YAML, missing variable, a 400/413/422 answer. */
  badInput: 2,
  /** The thing named does not exist (404). */
  notFound: 3,
  /** No token, or the server refused it (401/403). */
  auth: 4,
  /** The server could not be reached (connection refused, DNS, timeout). */
  unreachable: 5,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for an HTTP error status from the admin API. */
export function exitCodeForStatus(status: number): ExitCodeValue {
  if (status === 401 || status === 403) return ExitCode.auth;
  if (status === 404) return ExitCode.notFound;
  if (status === 400 || status === 413 || status === 422) return ExitCode.badInput;
  return ExitCode.failed;
}
