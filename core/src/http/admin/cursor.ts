import { invalid } from '../../errors.js';

/**
 * Opaque page cursors over numeric ids: clients pass `nextCursor` back as `cursor` and never parse it,
 * so the ordering key can change without breaking them.
 *
 * @example
 * decodeCursor(encodeCursor(42)) // 42
 */
export function encodeCursor(id: number): string {
  return Buffer.from(`id:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^id:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw invalid(`cursor '${cursor}' is not one this API returned`, [{ path: 'cursor', message: 'unknown cursor' }]);
  return Number(match[1]);
}
