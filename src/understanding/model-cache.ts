/**
 * An optional on-disk cache of trained classifiers, keyed by a hash of exactly what training saw (every
 * example's features and label, and the training options): the same knowledge base trains once, however
 * many processes load it. Off unless PLAUSCH_MODEL_CACHE_DIR names a directory (the test suite sets one,
 * since it starts hundreds of services on the same sample flows). A cache file that is unreadable or
 * malformed is ignored and retrained, never trusted.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  type ClassifierOptions,
  type ClassifierSnapshot,
  LinearClassifier,
  type TrainingExample,
} from './classifier.js';

/** Bump when the meaning of a snapshot changes (training code with the same inputs gives other weights). */
const FORMAT = 1;

const snapshotSchema = z.object({
  labels: z.array(z.string()).min(1),
  temperature: z.number().positive(),
  weights: z.array(z.tuple([z.string(), z.array(z.tuple([z.number().int().nonnegative(), z.number()]))])),
});

function cacheKey(examples: readonly TrainingExample[], options: Partial<ClassifierOptions>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ FORMAT, options }));
  for (const example of examples) {
    hash.update(example.label);
    for (const [feature, value] of example.features) hash.update(`\u0000${feature}\u0001${value}`);
    hash.update('\u0002');
  }
  return hash.digest('hex').slice(0, 32);
}

export function trainCached(
  examples: readonly TrainingExample[],
  options: Partial<ClassifierOptions>,
  directory: string | undefined = process.env.PLAUSCH_MODEL_CACHE_DIR,
): LinearClassifier {
  if (!directory) return LinearClassifier.train(examples, options);
  const file = join(directory, `classifier-${cacheKey(examples, options)}.json`);
  try {
    const snapshot = snapshotSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) as ClassifierSnapshot;
    return LinearClassifier.fromSnapshot(snapshot);
  } catch {
    // Missing or unusable: train and (try to) store.
  }
  const classifier = LinearClassifier.train(examples, options);
  try {
    mkdirSync(directory, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(classifier.toSnapshot()));
    renameSync(temporary, file); // atomic: a reader never sees half a file
  } catch {
    // A cache that cannot be written only costs time.
  }
  return classifier;
}
