import { ApiError, CliFailure, UnreachableError, type FieldIssue } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** A row on its way: its line and its event, already serialised (sized once, never re-encoded). */
export interface PendingRow {
  line: number;
  json: string;
  bytes: number;
}

/** A row that was not imported, and why. `row` is what the file held, or the event the server refused. */
export interface RejectedRow {
  line: number;
  reason: string;
  row?: unknown;
}

export interface BatchSenderOptions {
  /** Base URL of the server (`--url`). */
  url: string;
  writeKey: string;
  source: string;
  /** Attempts for a batch the server could not take (429, 5xx, no connection) before giving up. */
  attempts: number;
  /** Called before waiting to retry, to tell the person what is going on. */
  onRetry?: (reason: string, delayMs: number) => void;
}

export type SendBatch = (rows: PendingRow[]) => Promise<{ accepted: number; rejected: RejectedRow[] }>;

/**
 * Sends batches to `POST /v1/batch` with the source's write key. A batch is all or nothing on the
 * server, so when it refuses some events (400 with `batch.<i>` issues) they are taken out, recorded
 * with the server's reasons, and the rest sent again. Retries are safe: every event has a fixed messageId.
 *
 * @example
 * const send = createBatchSender({ url: 'http://127.0.0.1:8080', writeKey, source: 'shop-web', attempts: 5 });
 * const { accepted, rejected } = await send(rows);
 */
export function createBatchSender(options: BatchSenderOptions): SendBatch {
  const endpoint = `${options.url.replace(/\/+$/, '')}/v1/batch`;
  const authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;

  async function post(rows: PendingRow[]): Promise<{ status: number; body: unknown }> {
    const body = `{"batch":[${rows.map((row) => row.json).join(',')}]}`;
    for (let attempt = 1; ; attempt++) {
      let failure: string;
      try {
        const response = await fetch(endpoint, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(60_000) });
        const text = await response.text();
        if (response.status !== 429 && response.status < 500) return { status: response.status, body: parseJson(text) };
        failure = `the server answered ${response.status}: ${errorOf(parseJson(text))?.message ?? text.slice(0, 200)}`;
        if (attempt >= options.attempts) throw new ApiError(response.status, errorOf(parseJson(text))?.code ?? `http_${response.status}`, `${failure} (after ${attempt} attempts)`);
      } catch (error) {
        if (error instanceof CliFailure) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        failure = cause?.code ?? cause?.message ?? (error as Error).message;
        if (attempt >= options.attempts) throw new UnreachableError(options.url, `${failure} (after ${attempt} attempts)`);
      }
      const delayMs = Math.min(250 * 2 ** attempt, 10_000);
      options.onRetry?.(failure, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  return async function send(rows) {
    const rejected: RejectedRow[] = [];
    let remaining = rows;
    while (remaining.length > 0) {
      const { status, body } = await post(remaining);
      if (status === 200) return { accepted: remaining.length, rejected };
      const error = errorOf(body);
      const message = error?.message ?? `the server answered ${status}`;
      if (status === 401 || status === 403) {
        throw new CliFailure(`The write key was refused for source ${options.source}: ${message}. Pass the source's write key with --write-key or WEFT_WRITE_KEY`, ExitCode.auth, 'unauthorized');
      }
      const byIndex = status === 400 ? issuesByIndex(error?.issues) : new Map<number, FieldIssue[]>();
      if (byIndex.size === 0) {
        throw new ApiError(status, error?.code ?? `http_${status}`, `The server refused lines ${remaining[0]!.line}-${remaining.at(-1)!.line}: ${message}`, error?.issues ?? []);
      }
      for (const [index, issues] of byIndex) {
        const row = remaining[index]!;
        rejected.push({ line: row.line, reason: issues.map((issue) => `${issue.path} ${issue.message}`).join('; '), row: JSON.parse(row.json) });
      }
      remaining = remaining.filter((_, index) => !byIndex.has(index));
    }
    return { accepted: 0, rejected };
  };
}

/** `batch.3.userId` issues by event index, with the path inside the event (`userId`). */
function issuesByIndex(issues: FieldIssue[] | undefined): Map<number, FieldIssue[]> {
  const byIndex = new Map<number, FieldIssue[]>();
  for (const issue of issues ?? []) {
    const match = /^batch\.(\d+)(?:\.(.*))?$/.exec(issue.path);
    if (!match) continue;
    const index = Number(match[1]);
    byIndex.set(index, [...(byIndex.get(index) ?? []), { path: match[2] ?? '(event)', message: issue.message }]);
  }
  return byIndex;
}

function errorOf(body: unknown): { code?: string; message?: string; issues?: FieldIssue[] } | undefined {
  return (body as { error?: { code?: string; message?: string; issues?: FieldIssue[] } } | undefined)?.error;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
