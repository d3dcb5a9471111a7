/** How well predicted links agree with known ones. */
export interface LinkageQuality {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Share of predicted links that are true (1 when nothing was predicted). */
  precision: number;
  /** Share of true links that were predicted (1 when there are none). */
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
}

/**
 * Precision, recall and F1 of predicted links against labelled true links, pairs of record ids
 * in either order. Use it on a labelled sample to choose thresholds.
 *
 * @example
 * linkageQuality([['a', 'b'], ['a', 'c']], [['b', 'a']]) // precision 0.5, recall 1, f1 0.667
 */
export function linkageQuality(predicted: Iterable<readonly [string, string]>, truth: Iterable<readonly [string, string]>): LinkageQuality {
  const key = ([a, b]: readonly [string, string]) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  const trueLinks = new Set([...truth].map(key));
  const predictedLinks = new Set([...predicted].map(key));
  let truePositives = 0;
  for (const link of predictedLinks) if (trueLinks.has(link)) truePositives++;
  const falsePositives = predictedLinks.size - truePositives;
  const falseNegatives = trueLinks.size - truePositives;
  const precision = predictedLinks.size === 0 ? 1 : truePositives / predictedLinks.size;
  const recall = trueLinks.size === 0 ? 1 : truePositives / trueLinks.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives, falseNegatives, precision, recall, f1 };
}
