// Probabilistic identity resolution on FEBRL4: train on the two files, link them, print accuracy and time.
//   pnpm build && node bench/febrl.js
// 5000 originals (dataset4a) against 5000 duplicates (dataset4b); rec-N-org truly links to rec-N-dup-0.
// Every column is used except soc_sec_id (a national id would make it trivial; customer data has none).
import { mkdirSync, writeFileSync } from 'node:fs';
import { linkRecords, linkageQuality, trainModel } from '@weft/plugin-identity-probabilistic';
import { febrlTruth, readFebrl } from '../plugins/identity-probabilistic/fixtures/febrl.js';

const figures = [];

function report(name, value, unit, note = '', digits = 0) {
  figures.push({ name, value: Number(value.toFixed(digits)), unit, note });
  console.log(`  ${name.padEnd(52)} ${value.toFixed(digits).padStart(9)} ${unit}${note ? `  (${note})` : ''}`);
}

const originals = readFebrl('dataset4a.csv');
const duplicates = readFebrl('dataset4b.csv');
const truth = febrlTruth([...originals, ...duplicates]);

console.log(`Weft identity benchmark — ${new Date().toISOString()}`);
console.log(`\nFEBRL4: ${originals.length} originals × ${duplicates.length} duplicates, ${truth.length} true links`);
const started = performance.now();
const model = trainModel(originals, duplicates);
const trained = performance.now();
const { pairs, candidatePairs, oversizedKeys } = linkRecords(originals, duplicates, { model });
const linked = performance.now();

const links = pairs.filter((pair) => pair.score.decision === 'link');
const quality = linkageQuality(links.map((pair) => [pair.left, pair.right]), truth);
report('candidate pairs from blocking', candidatePairs, 'pairs', `${oversizedKeys} oversized keys skipped`);
report('EM training', model.training.iterations, 'iterations', `converged: ${model.training.converged}, ${model.training.estimatedMatches} matches estimated`);
report('auto-linked pairs', links.length, 'pairs', `${quality.truePositives} true, ${quality.falsePositives} false`);
report('pairs queued for review', pairs.length - links.length, 'pairs');
report('precision', quality.precision, '', 'target ≥ 0.98', 4);
report('recall', quality.recall, '', '', 4);
report('F1', quality.f1, '', 'target ≥ 0.97', 4);
report('training time', trained - started, 'ms');
report('linking time', linked - trained, 'ms');
report('training + linking', linked - started, 'ms', 'target < 2000 ms');

mkdirSync(new URL('./results', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/febrl.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), figures }, null, 2));
console.log('\nFigures written to bench/results/febrl.json');
