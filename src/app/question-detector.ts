/** Finds the engine's `QuestionDetector` among the features (the FAQ feature provides it). */
import type { QuestionDetector } from '../engine/types.js';
import type { Feature } from '../features/types.js';

/** The detector of the first feature that has one. */
export function questionDetectorOf(features: readonly Feature[]): QuestionDetector | undefined {
  return features.find((f) => f.questionDetector)?.questionDetector;
}
