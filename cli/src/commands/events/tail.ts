import { setTimeout as sleep } from 'node:timers/promises';
import { Flags } from '@oclif/core';
import { eventTypes } from '@weft/plugin-sdk';
import { ApiCommand } from '../../base-command.js';
import type { AdminAnswers, EventView } from '../../api/types.js';
import { formatTime, truncate } from '../../output/format.js';

const pageSize = 500;

export default class EventsTail extends ApiCommand<typeof EventsTail> {
  static override summary = 'Print events as they arrive, until Ctrl-C.';
  static override description =
    'Shows the most recent events first (--last), then polls for new ones. With --json, each event is one JSON object per line (JSON Lines), ready for jq.';
  static override flags = {
    source: Flags.string({ summary: 'Only events from this source connector.' }),
    type: Flags.string({ summary: 'Only events of this type.', options: [...eventTypes] }),
    last: Flags.integer({ summary: 'How many recent events to show before new ones.', default: 10, min: 0, max: pageSize }),
    interval: Flags.integer({ summary: 'Milliseconds between polls (at most an hour).', default: 1_000, min: 100, max: 3_600_000 }),
  };
  static override examples = [
    '<%= config.bin %> events tail',
    '<%= config.bin %> events tail --source shop-web --type track --last 0',
    "<%= config.bin %> events tail --json | jq '.payload.event'",
  ];

  async run() {
    const stopped = new AbortController();
    const stop = () => stopped.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const filter = { source: this.flags.source, type: this.flags.type };

    // `before` past any id asks for the newest events, newest first.
    const recent = await this.client.get<AdminAnswers.EventPage>('/events', { ...filter, before: Number.MAX_SAFE_INTEGER, limit: Math.max(this.flags.last, 1) });
    const newestFirst = [...recent.events].sort((a, b) => b.id - a.id);
    let cursor = newestFirst[0]?.id ?? 0;
    newestFirst.slice(0, this.flags.last).reverse().forEach((event) => this.#print(event));
    if (!this.jsonEnabled()) process.stderr.write(`Waiting for events${this.flags.source ? ` from ${this.flags.source}` : ''}… (Ctrl-C to stop)\n`);

    while (!stopped.signal.aborted) {
      const { events } = await this.client.get<AdminAnswers.EventPage>('/events', { ...filter, after: cursor, limit: pageSize });
      for (const event of events) {
        this.#print(event);
        cursor = Math.max(cursor, event.id);
      }
      if (events.length < pageSize) await sleep(this.flags.interval, undefined, { signal: stopped.signal }).catch(() => undefined);
    }
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }

  #print(event: EventView): void {
    if (this.jsonEnabled()) {
      this.writeJsonLine(event);
      return;
    }
    const payload = event.payload;
    const who = payload.userId ? `user=${String(payload.userId)}` : payload.anonymousId ? `anon=${String(payload.anonymousId)}` : '';
    const what = String(payload.event ?? payload.name ?? '');
    const state = event.state === 'failed' ? `failed: ${truncate(event.error, 60)}` : event.state;
    this.log([formatTime(event.receivedAt), `#${event.id}`, event.sourceId, event.type, what, who, state].filter(Boolean).join('  '));
  }
}
