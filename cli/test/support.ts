import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, startServer, type RunningServer } from '@weft/core';
import { createPostgresDatabase, dropPostgresDatabase } from '../../core/test-support/index.js';

export const cliEntry = fileURLToPath(new URL('../bin/run.js', import.meta.url));

/** The CLI runs from `dist/` as a real subprocess; fail early with the fix when it was not built. */
export function assertCliBuilt(): void {
  const built = fileURLToPath(new URL('../dist/commands/start.js', import.meta.url));
  if (!existsSync(built)) throw new Error(`The CLI is not built (${built} is missing): run \`npx tsc -b\` first`);
}

export interface TestServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  /** The admin token the server generated on first start (also in `<dataDir>/admin-token`). */
  adminToken: string;
  /** Environment for CLI runs against this server: its URL and its data dir (where the token file is). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A real Weft server in this process on a free port, on a fresh PostgreSQL database and data dir. */
export async function startTestServer(): Promise<TestServer> {
  assertCliBuilt();
  const databaseUrl = await createPostgresDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-cli-'));
  const config = loadConfig({
    WEFT_DATABASE_URL: databaseUrl,
    WEFT_DATA_DIR: dataDir,
    WEFT_PORT: '0',
    WEFT_HOST: '127.0.0.1',
    WEFT_LOG_LEVEL: process.env.WEFT_TEST_LOG_LEVEL ?? 'silent',
    WEFT_LEASE_MS: '2000',
    WEFT_POLL_INTERVAL_MS: '50',
  });
  const server = await startServer(config);
  if (!server.generatedAdminToken) throw new Error('a fresh database should have generated an admin token');
  const url = `http://127.0.0.1:${server.port}`;
  return {
    server,
    url,
    dataDir,
    adminToken: server.generatedAdminToken,
    env: { WEFT_URL: url, WEFT_DATA_DIR: dataDir },
    async close() {
      await server.stop();
      await dropPostgresDatabase(databaseUrl);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI run: this process's, minus any WEFT_* setting that could leak in. */
function cliEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WEFT_')));
  return { ...base, NO_COLOR: '1', ...env };
}

/**
 * Runs `node cli/bin/run.js <args>` to completion.
 *
 * @example
 * const { code, stdout } = await weft(['connectors', 'list', '--json'], server.env);
 */
export function weft(args: string[], env: Record<string, string>, options: { cwd?: string; stdin?: string } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [cliEntry, ...args], { env: cliEnvironment(env), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(options.stdin ?? '');
  return collect(child);
}

/**
 * Runs `weft <args>` and fails the test unless it exits 0, with its stderr in the failure.
 *
 * @example
 * const { stdout } = await weftOk(['identity', 'types', 'list', '--json'], server.env);
 */
export async function weftOk(args: string[], env: Record<string, string>): Promise<CliResult> {
  const result = await weft(args, env);
  expect(result.code, `weft ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

export interface RunningCli {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Waits until stdout satisfies `condition` (bounded), returning what it returned. */
  waitForStdout<T>(what: string, condition: (stdout: string) => T | undefined | false, timeoutMs?: number): Promise<T>;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/** Starts a long-running CLI command (`events tail`, `start`) as a subprocess. */
export function spawnWeft(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [cliEntry, ...args], { env: cliEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return {
    child,
    output: () => ({ stdout, stderr }),
    waitForStdout: (what, condition, timeoutMs = 20_000) =>
      waitFor(what, () => {
        if (child.exitCode !== null) throw new Error(`weft ${args.join(' ')} exited with ${child.exitCode} before ${what}:\n${stdout}\n${stderr}`);
        return condition(stdout);
      }, timeoutMs),
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      return { code, stdout, stderr };
    },
  };
}

/** Polls `condition` every 50 ms until it returns a truthy value, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, condition: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A port nothing listens on: bound, read and released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Parses JSON output, failing with the output itself when it is not JSON. */
export function parseJson<T = Record<string, unknown>>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`expected JSON on stdout, got:\n${text}`);
  }
}
