import type { Cursor, SourceComponent, StreamMessage } from '../components.js';
import { eventInputSchema, type EventInput } from '../event.js';
import { describeIssues } from '../issues.js';
import { HarnessError, type Captured, type ConnectorHarness } from './connector.js';

/** A request to a source's hook, as a shorthand for a `Request` to `/hooks/<connectorId><path>`. */
export interface HookRequest {
  method?: string;
  /** Below the connector's hook URL, e.g. `/events?echostr=1` (default `/`). */
  path?: string;
  headers?: Record<string, string>;
  /** A string or bytes are sent as they are; anything else as JSON. */
  body?: string | Uint8Array | object;
}

/** An event the source produced that ingest would refuse, and why. */
export interface InvalidEvent {
  index: number;
  issues: string[];
}

export interface HandleRun extends Captured {
  /** The events exactly as `handle` returned them. */
  events: EventInput[];
  /** What the vendor gets back: the plugin's response, or the host's default `200 {"success":true}`. */
  response: Response;
  /** Events ingest would reject with a 400 (empty when all are valid). */
  invalid: InvalidEvent[];
}

export interface ReadRun extends Captured {
  records: EventInput[];
  checkpoints: Cursor[];
  /** The last checkpoint: what the host would save once every record is committed. */
  cursor: Cursor | undefined;
  /** Records ingest would reject. */
  invalid: InvalidEvent[];
}

export interface SourceHarness<Config = Record<string, unknown>> extends ConnectorHarness<Config> {
  /** The URL the host would hand to `handle` for a path below the connector's hook. */
  hookUrl(path?: string): string;
  /** Calls `handle` with a real `Request`. Errors the plugin throws reach the caller unchanged. */
  handle(request: Request | HookRequest): Promise<HandleRun>;
  /** Reads a pull stream to its end from `cursor` (default: from the start). */
  read(stream: string, options?: { cursor?: Cursor }): Promise<ReadRun>;
}

/** Adds `handle` and `read` to a source connector. */
export function sourceHarness(component: SourceComponent, connector: ConnectorHarness): SourceHarness {
  const hookUrl = (path = '/') => `http://127.0.0.1/hooks/${connector.context.connector.id}${path.startsWith('/') ? path : `/${path}`}`;
  return {
    ...connector,
    hookUrl,
    async handle(input) {
      if (!component.handle) throw new HarnessError(`Source '${connector.pluginId}/${connector.componentName}' has no handle()`);
      const handle = component.handle.bind(component);
      const request = input instanceof Request ? input : toRequest(input, hookUrl(input.path));
      const { value, logs, requests } = await connector.capture(async () => handle(request, connector.context));
      if (value === null || typeof value !== 'object' || !Array.isArray(value.events)) {
        throw new HarnessError(`handle() returned ${JSON.stringify(value)}; expected { events: [...], response? }`);
      }
      const events = value.events;
      return { events, response: value.response ?? Response.json({ success: true }), invalid: invalidEvents(events), logs, requests };
    },
    async read(streamName, options = {}) {
      const stream = component.streams?.[streamName];
      if (!stream) {
        const known = Object.keys(component.streams ?? {}).join(', ') || 'none';
        throw new HarnessError(`Source '${connector.pluginId}/${connector.componentName}' has no stream '${streamName}' (it has: ${known})`);
      }
      const records: EventInput[] = [];
      const checkpoints: Cursor[] = [];
      const { logs, requests } = await connector.capture(async () => {
        for await (const message of stream.read({ ...connector.context, cursor: options.cursor })) collect(message, records, checkpoints);
      });
      return { records, checkpoints, cursor: checkpoints.at(-1), invalid: invalidEvents(records), logs, requests };
    },
  };
}

function collect(message: StreamMessage, records: EventInput[], checkpoints: Cursor[]): void {
  if ('record' in message) records.push(message.record);
  else if ('checkpoint' in message) checkpoints.push(message.checkpoint);
  else throw new HarnessError(`A stream yielded ${JSON.stringify(message)}; expected { record } or { checkpoint }`);
}

function toRequest(input: HookRequest, url: string): Request {
  const method = input.method ?? (input.body === undefined ? 'GET' : 'POST');
  const headers = new Headers(input.headers);
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (typeof input.body === 'string') body = input.body;
  else if (input.body instanceof Uint8Array) body = new Uint8Array(input.body);
  else if (input.body !== undefined) {
    body = JSON.stringify(input.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  return new Request(url, { method, headers, ...(body === undefined ? {} : { body }) });
}

function invalidEvents(events: unknown[]): InvalidEvent[] {
  const invalid: InvalidEvent[] = [];
  events.forEach((event, index) => {
    const parsed = eventInputSchema.safeParse(event);
    if (!parsed.success) invalid.push({ index, issues: describeIssues(parsed.error.issues, '(event)') });
  });
  return invalid;
}
