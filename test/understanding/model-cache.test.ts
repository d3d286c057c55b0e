import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinearClassifier, type TrainingExample } from '../../src/understanding/classifier.js';
import { trainCached } from '../../src/understanding/model-cache.js';

const examples: TrainingExample[] = [
  {
    label: 'shipping',
    features: new Map([
      ['t:versand', 1],
      ['t:dauer', 1],
    ]),
  },
  {
    label: 'shipping',
    features: new Map([
      ['t:lieferung', 1],
      ['t:lang', 1],
    ]),
  },
  {
    label: 'returns',
    features: new Map([
      ['t:retour', 1],
      ['t:zurueck', 1],
    ]),
  },
  {
    label: 'returns',
    features: new Map([
      ['t:ruecksendung', 1],
      ['t:schicken', 1],
    ]),
  },
];
const probe = new Map([
  ['t:versand', 1],
  ['t:zurueck', 0.4],
]);

describe('classifier model cache', () => {
  it('gives the same predictions from a snapshot as from training', () => {
    const trained = LinearClassifier.train(examples, { calibrationFolds: 0 });
    const restored = LinearClassifier.fromSnapshot(trained.toSnapshot());
    expect(restored.predict(probe)).toEqual(trained.predict(probe));
  });

  it('stores one file per training input and reads it back instead of training again', () => {
    const directory = mkdtempSync(join(tmpdir(), 'plausch-model-cache-'));
    const first = trainCached(examples, { calibrationFolds: 0 }, directory);
    expect(readdirSync(directory)).toHaveLength(1);
    const second = trainCached(examples, { calibrationFolds: 0 }, directory);
    expect(second.predict(probe)).toEqual(first.predict(probe));
    // Other examples → another key, another file.
    trainCached(examples.slice(1), { calibrationFolds: 0 }, directory);
    expect(readdirSync(directory)).toHaveLength(2);
  });

  it('ignores a broken cache file and retrains', () => {
    const directory = mkdtempSync(join(tmpdir(), 'plausch-model-cache-'));
    trainCached(examples, { calibrationFolds: 0 }, directory);
    const [file] = readdirSync(directory);
    writeFileSync(join(directory, file!), '{"labels": "not a list"');
    const retrained = trainCached(examples, { calibrationFolds: 0 }, directory);
    expect(retrained.predict(probe)[0]?.label).toBe('shipping');
  });
});
