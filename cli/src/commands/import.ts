import { Args, Flags } from '@oclif/core';
import { ApiCommand, WeftCommand } from '../base-command.js';
import { badInput } from '../errors.js';
import { createBatchSender } from '../import/batch-sender.js';
import { parseColumnFlags, resolveMapping } from '../import/mapping.js';
import { formatOf, importFormats } from '../import/records.js';
import { importFile, importLimits, type ImportProgress, type ImportSummary } from '../import/run-import.js';
import { formatDuration, plural } from '../output/format.js';
import { startProgress } from '../output/progress.js';

/** How often the progress moves; a plain line per second is plenty in a log. */
const progressIntervalMs = 1_000;

export default class Import extends WeftCommand<typeof Import> {
  static override summary = 'Import a CSV or JSONL file (optionally .gz) into a source as identify or track events.';
  static override description =
    "Streams the file (constant memory whatever its size) to the tracking API with the source's write key, in batches under the 500 KB request limit. Each row gets a messageId derived from the file and its line, and a checkpoint file records the last line whose batch was acknowledged: run the same command again after a crash and it resumes there, and nothing is stored twice. Rows that cannot be mapped or that the server refuses are reported with their line numbers (--rejects writes them all as JSON Lines) and never stop the others. See docs/cli.md for the mapping.";
  static override baseFlags = { url: ApiCommand.baseFlags.url };
  static override args = { file: Args.string({ description: 'CSV (.csv) or JSON Lines (.jsonl, .ndjson) file, optionally gzipped (.gz).', required: true }) };
  static override flags = {
    source: Flags.string({ summary: 'Source connector the events go into.', required: true }),
    'write-key': Flags.string({ summary: "The source's write key.", env: 'WEFT_WRITE_KEY', required: true }),
    format: Flags.string({ summary: 'File format (default: from the file name).', options: [...importFormats] }),
    delimiter: Flags.string({ summary: 'CSV field delimiter.', default: ',' }),
    type: Flags.string({ summary: 'Event type of each row (default: track when there is an event name — --event, --event-column or an event column — else identify).', options: ['identify', 'track'] }),
    event: Flags.string({ summary: 'Event name of every row (track).', exclusive: ['event-column'] }),
    'event-column': Flags.string({ summary: 'Column holding the event name (track; default: event).' }),
    'user-id-column': Flags.string({ summary: 'Column holding the userId (default: userId, user_id, else email).' }),
    'anonymous-id-column': Flags.string({ summary: 'Column holding the anonymousId (default: anonymousId, anonymous_id).' }),
    'timestamp-column': Flags.string({ summary: 'Column holding when it happened (default: timestamp, time).' }),
    column: Flags.string({ summary: 'Only this column becomes a trait/property, optionally renamed: col or col=name. Repeatable.', multiple: true }),
    mapping: Flags.string({ summary: 'JSON or YAML file with the mapping (type, event, eventColumn, userIdColumn, …, columns); flags win.' }),
    rejects: Flags.string({ summary: 'Write every rejected row here as JSON Lines ({ line, reason, row }).' }),
    checkpoint: Flags.string({ summary: 'Checkpoint file (default: <file>.weft-import.json).' }),
    resume: Flags.boolean({ summary: 'Resume after the checkpoint of this same import when there is one.', default: true, allowNo: true }),
    'import-id': Flags.string({ summary: 'Identity of this import for messageIds (default: hash of the path, size and modification time).' }),
    'batch-size': Flags.integer({ summary: 'Most events per request.', default: 1000, min: 1, max: importLimits.maxBatchEvents }),
    concurrency: Flags.integer({ summary: 'Requests in flight at once.', default: 4, min: 1, max: 32 }),
    attempts: Flags.integer({ summary: 'Attempts per batch when the server is unavailable (429, 5xx, no connection).', default: 6, min: 1 }),
  };
  static override examples = [
    '<%= config.bin %> import users.csv --source crm-import --write-key wk_… --type identify',
    '<%= config.bin %> import orders.csv.gz --source shop-web --event "Order Completed" --user-id-column customer_id --column total --column currency',
    '<%= config.bin %> import events.jsonl --source shop-web --rejects rejects.jsonl',
    'WEFT_WRITE_KEY=wk_… <%= config.bin %> import users.csv --source crm-import --mapping mapping.yaml --json',
  ];

  async run(): Promise<ImportSummary> {
    const f = this.flags;
    const file = this.args.file;
    if (f.delimiter.length !== 1) throw badInput(`--delimiter must be one character, received ${JSON.stringify(f.delimiter)}`);
    const mapping = resolveMapping(
      {
        type: f.type,
        event: f.event,
        eventColumn: f['event-column'],
        userIdColumn: f['user-id-column'],
        anonymousIdColumn: f['anonymous-id-column'],
        timestampColumn: f['timestamp-column'],
        columns: parseColumnFlags(f.column),
      },
      f.mapping,
    );
    const send = createBatchSender({
      url: f.url,
      writeKey: f['write-key'],
      source: f.source,
      attempts: f.attempts,
      onRetry: (reason, delayMs) => this.logToStderr(`Retrying in ${formatDuration(delayMs)}: ${reason}`),
    });
    const progress = startProgress<{ rows: string; rate: string }>({
      json: this.jsonEnabled(),
      barFormat: 'Importing [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
      line: (done, total, payload) => `Imported ${payload.rows} rows, ${total > 0 ? Math.floor((100 * done) / total) : 100}% of the file read, ${payload.rate} rows/s`,
      log: (line) => this.logToStderr(line),
    });
    const started = Date.now();
    let shownAt = 0;
    const show = (state: ImportProgress, force = false) => {
      if (!force && Date.now() - shownAt < progressIntervalMs) return;
      shownAt = Date.now();
      const rate = Math.round(state.rowsThisRun / Math.max((Date.now() - started) / 1000, 0.001));
      progress.update(state.bytesRead, state.totalBytes, { rows: String(state.imported + state.rejected), rate: String(rate) });
    };
    let summary: ImportSummary;
    let last: ImportProgress | undefined;
    try {
      summary = await importFile({
        file,
        format: formatOf(file, f.format),
        delimiter: f.delimiter,
        source: f.source,
        mapping,
        importId: f['import-id'],
        checkpointPath: f.checkpoint ?? `${file}.weft-import.json`,
        resume: f.resume,
        rejectsPath: f.rejects,
        batchSize: f['batch-size'],
        concurrency: f.concurrency,
        send,
        onProgress: (state) => show((last = state)),
      });
      if (last) show(last, true);
    } finally {
      progress.stop();
    }
    this.#report(summary);
    return summary;
  }

  #report(summary: ImportSummary): void {
    if (summary.alreadyCompleted) {
      this.log(`Already imported: ${summary.file} into ${summary.source} (${plural(summary.imported, 'row')}, ${summary.rejected} rejected; checkpoint ${summary.checkpoint}). Pass --no-resume to send it again; rows already stored are ignored.`);
      return;
    }
    // Rows the crashed run had sent after its checkpoint come again with the same messageIds; the server ignores them.
    const resumed = summary.resumedAfterLine > 0 ? `, resumed after line ${summary.resumedAfterLine}` : '';
    this.log(`Imported ${plural(summary.imported, 'row')} from ${summary.file} into ${summary.source}${resumed}; ${summary.rejected} rejected (${summary.seconds.toFixed(1)} s).`);
    for (const row of summary.rejects) this.log(`  line ${row.line}: ${row.reason}`);
    const shown = summary.rejects.length;
    if (summary.rejectsFile && summary.rejected > 0) this.log(`Rejected rows are in ${summary.rejectsFile}.`);
    else if (shown < summary.rejected) this.log(`  … and more; pass --rejects <file> to keep them all.`);
  }
}
