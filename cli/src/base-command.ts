import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { WeftClient } from './api/client.js';
import { CliFailure, usageError } from './errors.js';
import { ExitCode } from './exit-codes.js';

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof ApiCommand)['baseFlags'] & T['flags']>;
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * What every `weft` command shares: `--json`, parsed flags and args, and one way to fail —
 * a single message plus field issues on stderr (or `{ error }` on stdout with `--json`), never a
 * stack trace, and an exit code from `exit-codes.ts`.
 */
export abstract class WeftCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;

  override async init(): Promise<void> {
    await super.init();
    const ctor = this.ctor as typeof WeftCommand;
    const { args, flags } = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<never> {
    if (error instanceof Errors.ExitError) throw error;
    const failure = toFailure(error);
    if (this.jsonEnabled()) {
      const issues = failure.issues.length > 0 ? { issues: failure.issues } : {};
      this.logJson({ error: { code: failure.code, message: failure.message, ...issues } });
    } else {
      // A message about one problem usually says it already (`weft.yaml: identity.types.0.limit: …`): say it once.
      const issueLines = failure.issues.map((issue) => `${issue.path}: ${issue.message}`).filter((line) => !failure.message.includes(line));
      const lines = [`Error: ${failure.message}`, ...issueLines.map((line) => `  ${line}`)];
      process.stderr.write(`${lines.join('\n')}\n`);
    }
    this.exit(failure.exitCode);
  }

  /** Writes one JSON value as a single line on stdout (streaming output such as `events tail --json`). */
  protected writeJsonLine(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  }
}

/** A command that talks to a running server: adds `--url` and `--token` and holds the API client. */
export abstract class ApiCommand<T extends typeof Command> extends WeftCommand<T> {
  static override baseFlags = {
    url: Flags.string({
      summary: 'Base URL of the Weft server.',
      env: 'WEFT_URL',
      default: 'http://127.0.0.1:8080',
      helpGroup: 'GLOBAL',
    }),
    token: Flags.string({
      summary: 'Admin API token (default: <WEFT_DATA_DIR or ./.weft>/admin-token).',
      env: 'WEFT_ADMIN_TOKEN',
      helpGroup: 'GLOBAL',
    }),
  };

  #client: WeftClient | undefined;

  override async init(): Promise<void> {
    await super.init();
    assertServerUrl(this.flags.url, this.argv);
  }

  /** The admin API client for `--url` and the resolved token. */
  protected get client(): WeftClient {
    if (!this.#client) {
      const { token, hint } = resolveAdminToken(this.flags.token);
      this.#client = new WeftClient({ baseUrl: this.flags.url, token, tokenHint: hint });
    }
    return this.#client;
  }
}

/**
 * Refuses a `--url` that is not an http(s) URL before any request, naming where it came from: the
 * flag, or `WEFT_URL` when the flag was not given.
 */
function assertServerUrl(url: string, argv: string[]): void {
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  if (protocol === 'http:' || protocol === 'https:') return;
  const fromFlag = argv.some((arg) => arg === '--url' || arg.startsWith('--url='));
  const source = fromFlag ? '--url' : 'WEFT_URL (the value of --url)';
  throw usageError(`${source} must be the http:// or https:// URL of a Weft server, such as http://127.0.0.1:8080; got '${url}'`);
}

/**
 * The admin token: `--token`/`WEFT_ADMIN_TOKEN`, else the file the server writes when it generates
 * one (`<WEFT_DATA_DIR or ./.weft>/admin-token`). `hint` says where it came from for error messages.
 */
export function resolveAdminToken(explicit: string | undefined): { token: string | undefined; hint: string } {
  if (explicit) return { token: explicit, hint: 'from --token / WEFT_ADMIN_TOKEN was refused' };
  const file = join(resolve(process.env.WEFT_DATA_DIR ?? './.weft'), 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return { token, hint: `read from ${file} was refused` };
  }
  return { token: undefined, hint: `pass --token, set WEFT_ADMIN_TOKEN, or run where ${file} exists` };
}

function toFailure(error: Error): CliFailure {
  if (error instanceof CliFailure) return error;
  // oclif's own errors are usage errors: unknown flag, missing argument, bad flag value.
  if (error instanceof Errors.CLIError) return new CliFailure(error.message, ExitCode.badInput, 'usage');
  return new CliFailure(error.message || String(error), ExitCode.failed, 'failed');
}
