/**
 * Classifier features of an analysed text: its terms (stems, synonym heads, compound parts, translations,
 * places — already weighted by how sure the analysis is) and character n-grams of its content words (typos,
 * inflections the stemmer missed, compounds nobody split). N-grams weigh less: they are many and each says little.
 */
import type { Analysis } from './analyzer.js';
import type { FeatureVector } from './classifier.js';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const GRAM_WEIGHT = env('F_GRAM', 0.35);
const MIN_GRAM = env('F_MIN', 3);
const MAX_GRAM = env('F_MAX', 3);
const BIGRAM_WEIGHT = env('F_BI', 0);

export function featuresOf(analysis: Analysis): FeatureVector {
  const features = new Map<string, number>();
  for (const [term, weight] of analysis.terms) features.set(`t:${term}`, weight);
  const grams = new Map<string, number>();
  for (const trace of analysis.words) {
    if (trace.terms.some((t) => t.via === 'place')) continue;
    const padded = `_${trace.word.replace(/ /g, '_')}_`;
    for (let size = MIN_GRAM; size <= MAX_GRAM; size++)
      for (let i = 0; i + size <= padded.length; i++) {
        const gram = padded.slice(i, i + size);
        grams.set(gram, (grams.get(gram) ?? 0) + 1);
      }
  }
  for (const [gram, count] of grams) features.set(`g:${gram}`, GRAM_WEIGHT * Math.sqrt(count));
  if (BIGRAM_WEIGHT > 0)
    for (let i = 0; i + 1 < analysis.words.length; i++)
      features.set(`b:${analysis.words[i]!.stem}|${analysis.words[i + 1]!.stem}`, BIGRAM_WEIGHT);
  // Unknown words are left out on purpose: paraphrases never have any (their words are the vocabulary), so a
  // model would learn "unknown word ⇒ none" from the out-of-scope examples alone. The lexical score weighs them.
  return features;
}
