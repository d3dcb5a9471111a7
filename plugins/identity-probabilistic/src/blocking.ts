import { soundex } from './comparators/index.js';
import type { BlockingEncoding, BlockingPass } from './config.js';
import type { FieldMatcher, PreparedRecord } from './fields.js';

/** Most keys one pass makes for one record (several emails × several phones, say). */
const MAX_KEYS_PER_PASS = 16;

const encoders: Record<BlockingEncoding, (value: string) => string> = {
  value: (value) => value,
  // Names in scripts Soundex does not cover block on the value itself.
  soundex: (value) => soundex(value) || value,
  initial: (value) => String.fromCodePoint(value.codePointAt(0)!),
  year: (value) => value.slice(0, 4),
};

/**
 * Makes the function giving a prepared record's blocking keys: for each pass whose fields all
 * have a value, `<pass>:<part>|<part>…`. Values are canonical, so keys are equal exactly when
 * the encoded values are.
 *
 * @example
 * const keysOf = blockingKeyMaker([{ name: 'surname-postcode', keys: [{ field: 'lastName', encode: 'soundex' }, { field: 'postcode', encode: 'value' }] }], fields);
 * keysOf(prepareRecord(record, fields)) // ['surname-postcode:n255|4223']
 */
export function blockingKeyMaker(passes: readonly BlockingPass[], fields: readonly FieldMatcher[]): (record: PreparedRecord) => string[] {
  // Several passes encode the same field the same way (surname by sound): encode it once per record.
  const encodings: Array<{ field: number; encode: BlockingEncoding }> = [];
  const encodingOf = (field: number, encode: BlockingEncoding) => {
    const known = encodings.findIndex((encoding) => encoding.field === field && encoding.encode === encode);
    return known === -1 ? encodings.push({ field, encode }) - 1 : known;
  };
  const compiled = passes.map((pass) => ({
    prefix: `${pass.name}:`,
    parts: pass.keys.map((key) => encodingOf(fields.findIndex((field) => field.name === key.field), key.encode)),
  }));
  return (record) => {
    const encoded = encodings.map(({ field, encode }) => encodedValues(record.values[field] ?? [], encoders[encode]));
    const keys: string[] = [];
    for (const pass of compiled) {
      let combinations = [pass.prefix];
      for (const [position, part] of pass.parts.entries()) {
        const separator = position === 0 ? '' : '|';
        const next: string[] = [];
        for (const prefix of combinations) for (const value of encoded[part]!) if (next.length < MAX_KEYS_PER_PASS) next.push(prefix + separator + value);
        combinations = next;
      }
      keys.push(...combinations);
    }
    return keys;
  };
}

/** The distinct, non-empty, escaped encodings of a field's values. */
function encodedValues(values: readonly string[], encode: (value: string) => string): string[] {
  if (values.length === 1) {
    const value = encode(values[0]!);
    return value === '' ? [] : [escapePart(value)];
  }
  return [...new Set(values.map(encode).filter((value) => value !== ''))].map(escapePart);
}

/** Candidate pairs as parallel index arrays into the left and right record lists. */
export interface CandidatePairs {
  left: Uint32Array;
  right: Uint32Array;
  /** Distinct keys whose block held more than `maxBlockSize` records on a side, and were skipped. */
  oversizedKeys: number;
}

/**
 * Every pair of records sharing at least one blocking key, each pair once. With `right`
 * undefined the records are deduplicated among themselves (pairs `i < j` of `left`). A key shared
 * by more than `maxBlockSize` records on either side is skipped: such a block (a common surname
 * in a big city) costs quadratic work and other passes still reach its true matches.
 */
export function candidatePairs(left: readonly string[][], right: readonly string[][] | undefined, maxBlockSize: number): CandidatePairs {
  const blockIds = new Map<string, number>();
  const leftMembership = membership(left, blockIds);
  const rightMembership = right ? membership(right, blockIds) : undefined;
  const leftBlocks = groupByBlock(leftMembership, blockIds.size);
  const rightBlocks = rightMembership ? groupByBlock(rightMembership, blockIds.size) : leftBlocks;
  const width = right ? right.length : left.length;
  const seen = new Set<number>();
  const pairs: { left: number[]; right: number[] } = { left: [], right: [] };
  let oversizedKeys = 0;
  for (let block = 0; block < blockIds.size; block++) {
    const [leftStart, leftEnd] = [leftBlocks.start[block]!, leftBlocks.start[block + 1]!];
    const [rightStart, rightEnd] = [rightBlocks.start[block]!, rightBlocks.start[block + 1]!];
    if (leftEnd - leftStart > maxBlockSize || rightEnd - rightStart > maxBlockSize) {
      oversizedKeys++;
      continue;
    }
    for (let a = leftStart; a < leftEnd; a++) {
      const i = leftBlocks.members[a]!;
      for (let b = right ? rightStart : a + 1; b < rightEnd; b++) {
        const j = rightBlocks.members[b]!;
        const id = i * width + j;
        if (seen.has(id)) continue;
        seen.add(id);
        pairs.left.push(i);
        pairs.right.push(j);
      }
    }
  }
  return { left: Uint32Array.from(pairs.left), right: Uint32Array.from(pairs.right), oversizedKeys };
}

/** Which block (by id, new keys getting the next one) each record's each key falls in. */
function membership(keysOfRecords: readonly string[][], blockIds: Map<string, number>): { blockOf: number[]; recordOf: number[] } {
  const blockOf: number[] = [];
  const recordOf: number[] = [];
  keysOfRecords.forEach((keys, record) => {
    for (const key of keys) {
      let id = blockIds.get(key);
      if (id === undefined) blockIds.set(key, (id = blockIds.size));
      blockOf.push(id);
      recordOf.push(record);
    }
  });
  return { blockOf, recordOf };
}

/** Records grouped by block, compactly: block b holds `members[start[b] … start[b + 1])`, in record order. */
function groupByBlock({ blockOf, recordOf }: { blockOf: number[]; recordOf: number[] }, blockCount: number): { start: Uint32Array; members: Uint32Array } {
  const start = new Uint32Array(blockCount + 1);
  for (const id of blockOf) start[id + 1]!++;
  for (let id = 0; id < blockCount; id++) start[id + 1]! += start[id]!;
  const members = new Uint32Array(blockOf.length);
  const next = start.slice(0, blockCount);
  blockOf.forEach((id, position) => (members[next[id]!++] = recordOf[position]!));
  return { start, members };
}

/** `|` separates key parts, so a value holding one (or the escape) is escaped. */
function escapePart(value: string): string {
  return value.includes('|') || value.includes('\\') ? value.replace(/[\\|]/g, '\\$&') : value;
}
