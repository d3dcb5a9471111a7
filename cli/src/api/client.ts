import { ApiError, UnreachableError, type FieldIssue } from '../errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface WeftClientOptions {
  /** Base URL of a running Weft server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Admin bearer token; undefined sends none (the server answers 401, reported with `tokenHint`). */
  token: string | undefined;
  /** Where the token came from or where it was looked for, for a useful 401 message. */
  tokenHint: string;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/**
 * A small client for the admin API (`/api/v1`): JSON in, JSON out, every failure a `CliFailure`.
 *
 * @example
 * const client = new WeftClient({ baseUrl: 'http://127.0.0.1:8080', token, tokenHint: 'from --token' });
 * const { connectors } = await client.get<AdminAnswers.ConnectorList>('/connectors');
 */
export class WeftClient {
  readonly baseUrl: string;

  constructor(private readonly options: WeftClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.request<T>('POST', path, { body: body ?? {}, query });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path, {});
  }

  async request<T>(method: string, path: string, { query, body }: { query?: Query | undefined; body?: unknown }): Promise<T> {
    const url = new URL(`${this.baseUrl}/api/v1${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new UnreachableError(this.baseUrl, describeFetchFailure(error));
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) {
      if (parsed === undefined) throw new ApiError(response.status, 'bad_response', `${method} ${url.pathname} answered ${response.status} with a body that is not JSON`);
      return parsed as T;
    }
    throw this.#errorFrom(response.status, parsed, text);
  }

  #errorFrom(status: number, parsed: unknown, text: string): ApiError {
    const error = (parsed as { error?: { code?: unknown; message?: unknown; issues?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
    let message = typeof error?.message === 'string' ? error.message : `The server answered ${status}: ${text.slice(0, 200) || '(empty body)'}`;
    if (status === 401) message = `${message} (${this.options.token ? `token ${this.options.tokenHint}` : `no admin token: ${this.options.tokenHint}`})`;
    const issues = Array.isArray(error?.issues) ? (error.issues as FieldIssue[]) : [];
    return new ApiError(status, code, message, issues);
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One readable line for why fetch failed (`connection refused`, `timed out after 30 s`, …). */
function describeFetchFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'the request timed out';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return cause?.message ?? (error as Error).message ?? String(error);
  }
}
