/**
 * "Is this message clearly a question the knowledge base answers?" — for the engine's digressions: a
 * message at a prompt that the matcher would answer outright (not ask back, not decline) is a new question,
 * not a wrong reply to the prompt.
 */
import type { FaqMatcher } from './matcher.js';

/** Answer-confidence a digression needs: higher than the answer threshold, a prompt's reply is at stake. */
export const DIGRESSION_MIN_SCORE = 0.45;

export function isConfidentQuestion(
  matcher: FaqMatcher,
  text: string,
  locale: string,
  minScore = DIGRESSION_MIN_SCORE,
): boolean {
  if (text.trim() === '') return false;
  const result = matcher.match(text, { locale });
  return result.decision === 'answer' && (result.best?.score ?? 0) >= minScore;
}
