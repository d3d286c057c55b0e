/**
 * Wires the engine's `QuestionDetector` (is this message a question the knowledge base answers confidently?)
 * to the FAQ matcher: a second matcher over the same knowledge base files, rebuilt whenever the FAQ feature
 * reloads, answering "yes" exactly when `faq.answer` would answer rather than ask back or decline.
 */
import type { QuestionDetector } from '../engine/types.js';
import { buildMatcher, type FaqMatcher, loadKnowledgeBase } from '../features/faq/index.js';
import type { Feature } from '../features/types.js';

export class FaqQuestionDetector implements QuestionDetector {
  #matcher: FaqMatcher;

  private constructor(
    matcher: FaqMatcher,
    private readonly knowledgeBaseDir: string,
  ) {
    this.#matcher = matcher;
  }

  static async load(knowledgeBaseDir: string): Promise<FaqQuestionDetector> {
    return new FaqQuestionDetector(await FaqQuestionDetector.#build(knowledgeBaseDir), knowledgeBaseDir);
  }

  static async #build(dir: string): Promise<FaqMatcher> {
    return buildMatcher(await loadKnowledgeBase(dir));
  }

  isConfidentQuestion(text: string): boolean {
    return this.#matcher.match(text).decision === 'answer';
  }

  /** Swaps in the edited knowledge base; one that does not load keeps the current matcher (and throws). */
  async reload(): Promise<void> {
    this.#matcher = await FaqQuestionDetector.#build(this.knowledgeBaseDir);
  }
}

/** The FAQ feature with its question detector attached; reloading reloads both. */
export async function withQuestionDetector(feature: Feature, knowledgeBaseDir: string): Promise<Feature> {
  const detector = await FaqQuestionDetector.load(knowledgeBaseDir);
  return {
    ...feature,
    questionDetector: detector,
    async reload() {
      await feature.reload?.();
      await detector.reload();
    },
  };
}

/** The detector of the first feature that has one. */
export function questionDetectorOf(features: readonly Feature[]): QuestionDetector | undefined {
  return features.find((f) => f.questionDetector)?.questionDetector;
}
