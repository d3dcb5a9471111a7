import { describe, expect, it } from 'vitest';
// The loader is shared with bench/febrl.js.
import { febrlTruth, readFebrl } from '../fixtures/febrl.js';
import { linkRecords } from './link.js';
import { linkageQuality } from './quality.js';
import { trainModel } from './train.js';

const links = (pairs: ReturnType<typeof linkRecords>['pairs']) => pairs.filter((pair) => pair.score.decision === 'link').map((pair): [string, string] => [pair.left, pair.right]);

// FEBRL's synthetic people (every column but soc_sec_id), errors injected in the duplicates.
describe('accuracy on FEBRL', () => {
  it('links FEBRL4 (5000 originals against 5000 duplicates) with F1 ≥ 0.97 and precision ≥ 0.98', () => {
    const [originals, duplicates] = [readFebrl('dataset4a.csv'), readFebrl('dataset4b.csv')];
    const model = trainModel(originals, duplicates);
    const quality = linkageQuality(links(linkRecords(originals, duplicates, { model }).pairs), febrlTruth([...originals, ...duplicates]));
    expect(quality.precision).toBeGreaterThanOrEqual(0.98);
    expect(quality.f1).toBeGreaterThanOrEqual(0.97);
  });

  it('finds the duplicates within FEBRL1 (1000 records, 500 duplicated) with F1 ≥ 0.97 and precision ≥ 0.98', () => {
    const records = readFebrl('dataset1.csv');
    const model = trainModel(records);
    const quality = linkageQuality(links(linkRecords(records, undefined, { model }).pairs), febrlTruth(records));
    expect(quality.precision).toBeGreaterThanOrEqual(0.98);
    expect(quality.f1).toBeGreaterThanOrEqual(0.97);
  });
});
