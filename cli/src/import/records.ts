import { createReadStream, statSync, type ReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse, type CsvError } from 'csv-parse';
import { badInput } from '../errors.js';

export const importFormats = ['csv', 'jsonl'] as const;
export type ImportFormat = (typeof importFormats)[number];

/** One row of the file: its values by column (CSV) or key (JSONL), or why it could not be read. */
export type FileRecord = { line: number; row: Record<string, unknown>; error?: undefined } | { line: number; row?: undefined; error: string };

export interface RecordReader {
  /** Bytes of the file read so far (compressed bytes for `.gz`), for progress against `totalBytes`. */
  bytesRead(): number;
  totalBytes: number;
  records: AsyncIterable<FileRecord>;
  /** CSV: the header row, read before the first record; undefined for JSONL. */
  header(): string[] | undefined;
}

/**
 * `csv` or `jsonl` from the file name (`.csv`, `.jsonl`/`.ndjson`, each optionally `.gz`), unless given.
 *
 * @example
 * formatOf('users.csv.gz') // 'csv'
 */
export function formatOf(file: string, explicit: string | undefined): ImportFormat {
  if (explicit) return explicit as ImportFormat;
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  throw badInput(`Cannot tell the format of ${file} from its name (expected .csv, .jsonl or .ndjson, optionally .gz): pass --format csv or --format jsonl`);
}

/**
 * Streams the records of a CSV or JSONL file (gunzipped when it ends in `.gz`) one at a time, so
 * memory does not grow with the file. Line numbers are the file's physical lines, 1-based; a CSV
 * record spanning lines (a quoted newline) has the line it starts on.
 */
export function readRecords(file: string, format: ImportFormat, options: { delimiter: string }): RecordReader {
  let totalBytes: number;
  try {
    totalBytes = statSync(file).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw badInput(code === 'ENOENT' ? `File ${file} does not exist` : `Cannot read ${file}: ${(error as Error).message}`);
  }
  const raw: ReadStream = createReadStream(file, { highWaterMark: 256 * 1024 });
  const input: Readable = file.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()).on('error', (error) => raw.destroy(error)) : raw;
  raw.on('error', (error) => input.destroy(error));
  let header: string[] | undefined;
  const records = format === 'csv' ? csvRecords(input, options.delimiter, (names) => (header = names)) : jsonlRecords(input);
  return { bytesRead: () => raw.bytesRead, totalBytes, records: withReadErrors(file, records), header: () => header };
}

async function* csvRecords(input: Readable, delimiter: string, onHeader: (names: string[]) => void): AsyncGenerator<FileRecord> {
  const parser = input.pipe(parse({ delimiter, bom: true, info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true }));
  input.on('error', (error) => parser.destroy(error));
  // A malformed record (a stray quote) is skipped by the parser; report it in order with the others.
  const skipped: FileRecord[] = [];
  parser.on('skip', (error: CsvError & { lines?: number }) => skipped.push({ line: error.lines ?? 0, error: `not valid CSV: ${error.message}` }));
  let header: string[] | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skipped.splice(0);
    const line = info.lines - newlinesIn(record);
    if (!header) {
      header = record.map((name) => name.trim());
      onHeader(header);
      continue;
    }
    if (record.length !== header.length) {
      yield { line, error: `has ${record.length} fields; the header has ${header.length}` };
      continue;
    }
    // No prototype: a column named __proto__ is just a column.
    const row: Record<string, unknown> = Object.create(null);
    for (let i = 0; i < header.length; i++) row[header[i]!] = record[i];
    yield { line, row };
  }
  yield* skipped.splice(0);
}

function newlinesIn(record: string[]): number {
  let count = 0;
  for (const field of record) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) count++;
  }
  return count;
}

async function* jsonlRecords(input: Readable): AsyncGenerator<FileRecord> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    const trimmed = line === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      yield { line, error: `not valid JSON: ${(error as Error).message}` };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { line, error: `must be a JSON object, received ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
      continue;
    }
    yield { line, row: value as Record<string, unknown> };
  }
}

/** A read or decompression failure (a truncated .gz) stops the import with the file named. */
async function* withReadErrors(file: string, records: AsyncIterable<FileRecord>): AsyncGenerator<FileRecord> {
  try {
    yield* records;
  } catch (error) {
    throw badInput(`Cannot read ${file}: ${(error as Error).message}`);
  }
}
