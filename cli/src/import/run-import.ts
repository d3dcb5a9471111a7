import { appendFileSync, writeFileSync } from 'node:fs';
import type { SendBatch, PendingRow, RejectedRow } from './batch-sender.js';
import { importIdOf, messageIdFor, readCheckpoint, writeCheckpoint, type ImportCheckpoint } from './checkpoint.js';
import { checkHeader, isEvent, mapRow, type ImportMapping } from './mapping.js';
import { readRecords, type ImportFormat } from './records.js';

/**
 * The tracking API's limits (core/src/ingest/limits.ts): 32 KB per event, 500 KB and 2,500 events
 * per `/v1/batch` request. Batches are sized by bytes a little under the request limit.
 */
export const importLimits = { maxEventBytes: 32 * 1024, maxBatchBytes: 500 * 1024 - 4 * 1024, maxBatchEvents: 2500 } as const;

/** Rejected rows kept for the summary; all of them go to the `--rejects` file. */
const rejectsInSummary = 100;

export interface ImportOptions {
  file: string;
  format: ImportFormat;
  delimiter: string;
  source: string;
  mapping: ImportMapping;
  importId: string | undefined;
  checkpointPath: string;
  /** Skip the lines a checkpoint of this same import says are done. */
  resume: boolean;
  rejectsPath: string | undefined;
  batchSize: number;
  /** Batches sent at once; reading waits while this many are unacknowledged. */
  concurrency: number;
  send: SendBatch;
  onProgress(progress: ImportProgress): void;
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  imported: number;
  rejected: number;
  /** Rows handled by this run (not those before the checkpoint), for the rate. */
  rowsThisRun: number;
}

export interface ImportSummary {
  file: string;
  source: string;
  importId: string;
  checkpoint: string;
  /** The checkpoint's line this run resumed after; 0 for a fresh start. */
  resumedAfterLine: number;
  /** Totals of the import, this run and the runs it resumed. */
  imported: number;
  rejected: number;
  /** The first rejected rows of this run (all of them are in the `--rejects` file). */
  rejects: RejectedRow[];
  rejectsFile: string | null;
  /** The checkpoint said the import was already complete: nothing was sent. */
  alreadyCompleted: boolean;
  seconds: number;
}

interface Batch {
  rows: PendingRow[];
  bytes: number;
  rejected: RejectedRow[];
  /** The last line read into this batch, rejected or not: the checkpoint once it is acknowledged. */
  lastLine: number;
}

/**
 * Imports a CSV or JSONL file into a source, streaming: at most `concurrency` batches are held.
 * Batches are committed in file order; after each, rejected rows are appended to the rejects file
 * and then the checkpoint moves past the batch. Rows after the checkpoint may already be stored
 * when a run dies; their fixed messageIds make the server ignore them when they are sent again.
 */
export async function importFile(options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const reader = readRecords(options.file, options.format, { delimiter: options.delimiter });
  const importId = importIdOf(options.file, options.importId);
  const previous = options.resume ? readCheckpoint(options.checkpointPath, importId, options.source) : undefined;
  const checkpoint: ImportCheckpoint = previous ?? {
    version: 1,
    importId,
    file: options.file,
    source: options.source,
    line: 0,
    imported: 0,
    rejected: 0,
    completed: false,
    updatedAt: new Date().toISOString(),
  };
  const summary: ImportSummary = {
    file: options.file,
    source: options.source,
    importId,
    checkpoint: options.checkpointPath,
    resumedAfterLine: previous?.line ?? 0,
    imported: checkpoint.imported,
    rejected: checkpoint.rejected,
    rejects: [],
    rejectsFile: options.rejectsPath ?? null,
    alreadyCompleted: checkpoint.completed,
    seconds: 0,
  };
  if (checkpoint.completed) return summary;
  // A fresh start replaces the rejects of an earlier attempt; a resumed one adds to them.
  if (options.rejectsPath && !previous) writeFileSync(options.rejectsPath, '');

  let rowsThisRun = 0;
  const progress = () =>
    options.onProgress({ bytesRead: reader.bytesRead(), totalBytes: reader.totalBytes, imported: summary.imported, rejected: summary.rejected, rowsThisRun });
  const inFlight: Array<{ batch: Batch; outcome: Promise<{ accepted: number; rejected: RejectedRow[] } | { error: unknown }> }> = [];

  async function commitOldest(): Promise<void> {
    const { batch, outcome } = inFlight.shift()!;
    const result = await outcome;
    if ('error' in result) throw result.error;
    const rejected = [...batch.rejected, ...result.rejected].sort((a, b) => a.line - b.line);
    if (options.rejectsPath && rejected.length > 0) appendFileSync(options.rejectsPath, rejected.map((row) => `${JSON.stringify(row)}\n`).join(''));
    summary.rejects.push(...rejected.slice(0, rejectsInSummary - summary.rejects.length));
    summary.imported += result.accepted;
    summary.rejected += rejected.length;
    rowsThisRun += result.accepted + rejected.length;
    writeCheckpoint(options.checkpointPath, { ...checkpoint, line: batch.lastLine, imported: summary.imported, rejected: summary.rejected, updatedAt: new Date().toISOString() });
    progress();
  }

  async function submit(batch: Batch): Promise<void> {
    while (inFlight.length >= options.concurrency) await commitOldest();
    const sent = batch.rows.length > 0 ? options.send(batch.rows) : Promise.resolve({ accepted: 0, rejected: [] });
    // Settled into a value at once, so a failure behind the oldest batch is not an unhandled rejection.
    inFlight.push({ batch, outcome: sent.catch((error: unknown) => ({ error })) });
  }

  const newBatch = (): Batch => ({ rows: [], bytes: 0, rejected: [], lastLine: 0 });
  let open = newBatch();
  let headerChecked = options.format !== 'csv';
  for await (const record of reader.records) {
    if (!headerChecked) {
      checkHeader(options.mapping, reader.header() ?? []);
      headerChecked = true;
    }
    if (record.line <= checkpoint.line) continue;
    const row = toPendingRow(record, importId, options.mapping);
    if ('reason' in row) {
      open.rejected.push(row);
    } else {
      const full = open.rows.length >= options.batchSize || open.bytes + row.bytes + open.rows.length + 16 > importLimits.maxBatchBytes;
      if (full) {
        await submit(open);
        open = newBatch();
      }
      open.rows.push(row);
      open.bytes += row.bytes;
    }
    open.lastLine = record.line;
  }
  if (open.lastLine > 0) await submit(open);
  while (inFlight.length > 0) await commitOldest();
  writeCheckpoint(options.checkpointPath, { ...checkpoint, line: open.lastLine || checkpoint.line, imported: summary.imported, rejected: summary.rejected, completed: true, updatedAt: new Date().toISOString() });
  progress();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

function toPendingRow(record: { line: number; row?: Record<string, unknown> | undefined; error?: string | undefined }, importId: string, mapping: ImportMapping): PendingRow | RejectedRow {
  const { line, row } = record;
  if (!row) return { line, reason: record.error! };
  let event: Record<string, unknown>;
  if (isEvent(row)) {
    event = row.messageId === undefined || row.messageId === null || row.messageId === '' ? { ...row, messageId: messageIdFor(importId, line) } : row;
  } else {
    const mapped = mapRow(mapping, row);
    if ('reason' in mapped) return { line, reason: mapped.reason, row: { ...row } };
    event = { messageId: messageIdFor(importId, line), ...mapped.event };
  }
  const json = JSON.stringify(event);
  const bytes = Buffer.byteLength(json);
  if (bytes > importLimits.maxEventBytes) return { line, reason: `the event is ${(bytes / 1024).toFixed(1)} KB as JSON; the limit is 32 KB per event` };
  return { line, json, bytes };
}
