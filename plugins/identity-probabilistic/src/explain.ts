import type { MatchScore } from '@weft/plugin-sdk';

/**
 * A match score as a small table for people: the decision, then each field's similarity, level
 * and weight in bits, strongest evidence first.
 *
 * @example
 * explainScore(score)
 * // link: probability 0.9991, weight 10.12 bits (prior −12.29)
 * //   birthDate  date          1.0000  exact       +14.51
 * //   lastName   jaro-winkler  0.9600  close        +6.80
 * //   …
 * //   address2   jaro-winkler  —       missing       0.00
 */
export function explainScore(score: MatchScore, priorWeight?: number): string {
  const prior = priorWeight === undefined ? '' : ` (prior ${signed(priorWeight)})`;
  const head = `${score.decision}: probability ${score.probability.toFixed(4)}, weight ${score.weight.toFixed(2)} bits${prior}`;
  const width = (pick: (field: MatchScore['fields'][number]) => string) => Math.max(...score.fields.map((field) => pick(field).length));
  const [fieldWidth, comparatorWidth, levelWidth] = [width((f) => f.field), width((f) => f.comparator), width((f) => f.level)];
  const rows = [...score.fields]
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .map((field) =>
      [
        `  ${field.field.padEnd(fieldWidth)}`,
        field.comparator.padEnd(comparatorWidth),
        (field.similarity === null ? '—' : field.similarity.toFixed(4)).padEnd(6),
        field.level.padEnd(levelWidth),
        signed(field.weight).padStart(7),
      ].join('  '),
    );
  return [head, ...rows].join('\n');
}

function signed(value: number): string {
  return value > 0 ? `+${value.toFixed(2)}` : value < 0 ? `−${Math.abs(value).toFixed(2)}` : '0.00';
}
