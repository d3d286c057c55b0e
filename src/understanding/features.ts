/**
 * Classifier features of an analysed text: its terms (stems, synonym heads, compound parts, translations,
 * places — already weighted by how sure the analysis is) and its character trigrams (typos, inflections the
 * stemmer missed, compounds nobody split). Trigrams weigh less: they are many and each says little.
 */
import type { Analysis } from './analyzer.js';
import type { FeatureVector } from './classifier.js';

const GRAM_WEIGHT = 0.35;

export function featuresOf(analysis: Analysis): FeatureVector {
  const features = new Map<string, number>();
  for (const [term, weight] of analysis.terms) features.set(`t:${term}`, weight);
  for (const [gram, count] of analysis.grams) features.set(`g:${gram}`, GRAM_WEIGHT * Math.sqrt(count));
  // Unknown words are left out on purpose: paraphrases never have any (their words are the vocabulary), so a
  // model would learn "unknown word ⇒ none" from the out-of-scope examples alone. The lexical score weighs them.
  return features;
}
