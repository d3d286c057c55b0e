/**
 * Classifier features of an analysed text: its terms (stems, synonym heads, compound parts, translations,
 * places — already weighted by how sure the analysis is) and character n-grams of its content words (typos,
 * inflections the stemmer missed, compounds nobody split). N-grams weigh less: they are many and each says little.
 */
import { type Analysis, isPlaceTerm } from './analyzer.js';
import type { FeatureVector } from './classifier.js';

const GRAM_WEIGHT = 0.35;
const PLACE_WEIGHT = 0.3;
const NO_PLACE_WEIGHT = 0.5;
/** Trigrams only: 4- and 5-grams were tried on the development sets and did not help. */
const GRAM_SIZE = 3;

export function featuresOf(analysis: Analysis): FeatureVector {
  const features = new Map<string, number>();
  // A place says where, not what: it counts, but less than a word of the question.
  for (const [term, weight] of analysis.terms)
    features.set(`t:${term}`, isPlaceTerm(term) ? PLACE_WEIGHT * weight : weight);
  // Whether a place is named at all: lets the model learn that "wie lange dauert die Lieferung" without one
  // is not the shipping-abroad question its "… nach Polen" paraphrases resemble.
  if (analysis.countries.length === 0) features.set('x:no-place', NO_PLACE_WEIGHT);
  const grams = new Map<string, number>();
  for (const trace of analysis.words) {
    if (trace.terms.some((t) => t.via === 'place')) continue;
    const padded = `_${trace.word.replace(/ /g, '_')}_`;
    for (let i = 0; i + GRAM_SIZE <= padded.length; i++) {
      const gram = padded.slice(i, i + GRAM_SIZE);
      grams.set(gram, (grams.get(gram) ?? 0) + 1);
    }
  }
  for (const [gram, count] of grams) features.set(`g:${gram}`, GRAM_WEIGHT * Math.sqrt(count));
  // Unknown words are left out on purpose: paraphrases never have any (their words are the vocabulary), so a
  // model would learn "unknown word ⇒ none" from the out-of-scope examples alone. The lexical score weighs them.
  return features;
}
