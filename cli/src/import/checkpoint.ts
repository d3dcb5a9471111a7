import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { badInput } from '../errors.js';

/**
 * Where an import of one file into one source stands. Written (atomically, by rename) only after
 * every batch up to `line` was acknowledged by the server, so resuming after it loses nothing.
 */
export interface ImportCheckpoint {
  version: 1;
  importId: string;
  file: string;
  source: string;
  /** Every row up to and including this line is stored or was rejected. */
  line: number;
  imported: number;
  rejected: number;
  completed: boolean;
  updatedAt: string;
}

/**
 * The identity of an import: `--import-id`, else a hash of the file's resolved path, size and
 * modification time. Every row's messageId derives from it, so the same file sent twice is deduplicated.
 *
 * @example
 * importIdOf('users.csv', undefined) // 'f3a9…' (24 hex digits)
 */
export function importIdOf(file: string, explicit: string | undefined): string {
  if (explicit) return explicit;
  const stat = statSync(file);
  return createHash('sha256').update(`${resolve(file)}\n${stat.size}\n${stat.mtimeMs}`).digest('hex').slice(0, 24);
}

/** The messageId of the row on `line`: the same on every run of the same import, unique per row. */
export function messageIdFor(importId: string, line: number): string {
  return `imp-${createHash('sha256').update(`${importId}:${line}`).digest('hex').slice(0, 32)}`;
}

/** The checkpoint at `path` when it belongs to this import (same file identity and source); undefined otherwise. */
export function readCheckpoint(path: string, importId: string, source: string): ImportCheckpoint | undefined {
  if (!existsSync(path)) return undefined;
  let checkpoint: ImportCheckpoint;
  try {
    checkpoint = JSON.parse(readFileSync(path, 'utf8')) as ImportCheckpoint;
  } catch (error) {
    throw badInput(`The checkpoint ${path} is not valid JSON (${(error as Error).message}): delete it or pass --no-resume`);
  }
  return checkpoint.version === 1 && checkpoint.importId === importId && checkpoint.source === source ? checkpoint : undefined;
}

/** Replaces the checkpoint in one rename, so a crash leaves the old one or the new one, never half of one. */
export function writeCheckpoint(path: string, checkpoint: ImportCheckpoint): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(temporary, path);
}
