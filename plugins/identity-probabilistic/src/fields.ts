import type { MatchRecord } from '@weft/plugin-sdk';
import { comparatorFor, type ComparatorName } from './comparators/index.js';
import type { FieldSpec } from './config.js';

/** The level of a pair where either side has no value: it contributes no weight. */
export const MISSING = -1;

/** One configured field, ready to read records and compare values. */
export interface FieldMatcher {
  readonly name: string;
  readonly comparator: ComparatorName;
  /** Level names, most similar first; the last is always `different`. */
  readonly levels: readonly string[];
  /** The record's canonical values of this field (none when it has no usable value). */
  values(record: MatchRecord): string[];
  /** Similarity of the closest pair of values, or `MISSING` when either side has none. */
  similarity(a: readonly string[], b: readonly string[]): number;
  /** The level a similarity falls in (`MISSING` stays `MISSING`). */
  levelOf(similarity: number): number;
}

/**
 * A record reduced to what matching reads: per field (in config order) its canonical values.
 * Preparing once per record keeps normalisation out of the pair loop.
 */
export interface PreparedRecord {
  id: string;
  values: string[][];
}

/**
 * Builds a field matcher from its config.
 *
 * @example
 * const city = compileField({ name: 'city', traits: ['city', 'suburb'], comparator: 'jaro-winkler', levels: [{ name: 'exact', atLeast: 1 }] });
 * city.values({ id: 'p1', traits: { suburb: ' Winston Hills ' }, identifiers: {} }) // ['winston hills']
 */
export function compileField(spec: FieldSpec): FieldMatcher {
  const comparator = comparatorFor(spec.comparator, { ...(spec.normalise ? { normalise: spec.normalise } : {}), ...(spec.scale ? { scale: spec.scale } : {}) });
  const thresholds = spec.levels.map((level) => level.atLeast);
  const canonicalValues = (raw: unknown): string[] =>
    rawStrings(raw)
      .map((text) => comparator.canonical(text))
      .filter((value): value is string => value !== undefined);
  const readers = spec.traits.map(traitReader);
  return {
    name: spec.name,
    comparator: spec.comparator,
    levels: [...spec.levels.map((level) => level.name), 'different'],
    values(record) {
      let fromTraits: string[] = [];
      for (const read of readers) {
        const raw = read(record.traits);
        if (raw === undefined || raw === null || raw === '') continue;
        fromTraits = canonicalValues(raw);
        if (fromTraits.length > 0) break;
      }
      const fromIdentifiers = spec.identifier ? canonicalValues(record.identifiers[spec.identifier]) : [];
      return fromIdentifiers.length === 0 ? fromTraits : [...new Set([...fromTraits, ...fromIdentifiers])];
    },
    similarity(a, b) {
      if (a.length === 0 || b.length === 0) return MISSING;
      let best = 0;
      for (const left of a) {
        for (const right of b) {
          best = Math.max(best, comparator.similarity(left, right));
          if (best === 1) return 1;
        }
      }
      return best;
    },
    levelOf(similarity) {
      if (similarity === MISSING) return MISSING;
      let level = 0;
      while (level < thresholds.length && similarity < thresholds[level]!) level++;
      return level;
    },
  };
}

/** Reads every field of a record once. */
export function prepareRecord(record: MatchRecord, fields: readonly FieldMatcher[]): PreparedRecord {
  return { id: record.id, values: fields.map((field) => field.values(record)) };
}

/** Reads a trait by path: a literal key first (`address.city` as one key), else walking the dots. */
function traitReader(path: string): (traits: Record<string, unknown>) => unknown {
  const parts = path.split('.');
  return (traits) => {
    if (Object.hasOwn(traits, path)) return traits[path];
    if (parts.length === 1) return undefined;
    let current: unknown = traits;
    for (const part of parts) {
      if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  };
}

function rawStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'bigint') return [String(value)];
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? [] : [value.toISOString()];
  if (Array.isArray(value)) return value.flatMap((item) => (typeof item === 'object' && item !== null && !(item instanceof Date) ? [] : rawStrings(item)));
  return [];
}
