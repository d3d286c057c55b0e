/**
 * A real stemmer per language (Snowball, via `snowball-stemmers`): German words get the German algorithm,
 * English words the Porter2 English one. Words arrive in spelling-key form (see normalize.ts), so umlauts are
 * already folded and "Rückgabe", "Rueckgabe" and "Ruckgabe" share a stem.
 */
import snowball from 'snowball-stemmers';
import type { Language } from './language.js';

const stemmers = { de: snowball.newStemmer('german'), en: snowball.newStemmer('english') };
const CACHE_LIMIT = 50_000;
const caches = { de: new Map<string, string>(), en: new Map<string, string>() };

/** The Snowball stem of a (folded) word in the given language; cached, bounded. */
export function stemWord(word: string, language: Language): string {
  const cache = caches[language];
  const cached = cache.get(word);
  if (cached !== undefined) return cached;
  const stem = stemmers[language].stem(word);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, stem);
  return stem;
}
