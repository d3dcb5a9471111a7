import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkRequest {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
  /** messageIds of the events in the request (`{batch:[…]}`, an array, or one event). */
  messageIds: string[];
}

/** How the sink answers request number `index` (0-based): a status (+ headers), or 'hang' to never answer. */
export type SinkBehaviour = (index: number, request: SinkRequest) => { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

/**
 * A real HTTP receiver on 127.0.0.1 standing in for a webhook destination: records every request
 * and answers as `behaviour` says (changeable while running).
 */
export async function startSink(behaviour: SinkBehaviour = () => ({ status: 200 })) {
  const requests: SinkRequest[] = [];
  const delivered = new Set<string>();
  const hanging: ServerResponse[] = [];
  let current = behaviour;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const record: SinkRequest = { at: Date.now(), headers: req.headers, body, messageIds: messageIdsOf(body) };
      const index = requests.push(record) - 1;
      const answer = current(index, record);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      const respond = () => {
        if (answer.status >= 200 && answer.status < 300) for (const id of record.messageIds) delivered.add(id);
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify({ status: answer.status }));
      };
      // A slow receiver: the answer is held back, like a busy vendor would.
      if (answer.delayMs) setTimeout(respond, answer.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/in`,
    requests,
    /** messageIds acknowledged with a 2xx. */
    delivered,
    setBehaviour(next: SinkBehaviour) {
      current = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function messageIdsOf(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as unknown;
    const events = Array.isArray(parsed) ? parsed : ((parsed as { batch?: unknown[] }).batch ?? [parsed]);
    return events.map((event) => String((event as { messageId?: unknown }).messageId));
  } catch {
    return [];
  }
}
