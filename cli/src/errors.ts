import { ExitCode, exitCodeForStatus, type ExitCodeValue } from './exit-codes.js';

/** A field-level problem, as the admin API reports it (`path` points at the field). */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * An error meant for a person: one message, optional field issues, and the exit code it maps to.
 * The base command prints it (or its JSON form) and exits; nothing else reaches the user.
 */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    readonly code: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

/** Bad input given on the command line or in a file: exit code 2. */
export const badInput = (message: string, issues: FieldIssue[] = []) => new CliFailure(message, ExitCode.badInput, 'invalid', issues);

/** A command used wrongly (an argument or flag that cannot be right, whatever the server holds): exit code 2, code `usage`. */
export const usageError = (message: string) => new CliFailure(message, ExitCode.badInput, 'usage');

/** An error answer from the admin API (`{ error: { code, message, issues } }`). */
export class ApiError extends CliFailure {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    issues: FieldIssue[] = [],
  ) {
    // A failed connector check is the operation failing, not bad input, though the server answers 400.
    super(message, code === 'check_failed' ? ExitCode.failed : exitCodeForStatus(status), code, issues);
    this.name = 'ApiError';
  }
}

/** The server did not answer at all. */
export class UnreachableError extends CliFailure {
  constructor(url: string, reason: string) {
    super(`Cannot reach Weft at ${url}: ${reason}. Is \`weft start\` running there? (--url / WEFT_URL)`, ExitCode.unreachable, 'unreachable');
    this.name = 'UnreachableError';
  }
}
