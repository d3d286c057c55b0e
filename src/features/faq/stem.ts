/**
 * A light, language-blind suffix stemmer for German and English words in spelling-key form.
 * Not linguistically exact: it only has to map the inflections customers use onto one form,
 * and it is applied identically to knowledge base and question.
 */

// Longest first; one suffix per pass, two passes ("gutscheinen" → "gutschein" → "gutschei", "gutschein" → "gutschei").
// A final t covers participles and third persons ("bestellt", "kostet" → "bestell", "kost").
const SUFFIXES = [
  'ungen',
  'innen',
  'ung',
  'ing',
  'en',
  'em',
  'er',
  'es',
  'et',
  'ed',
  'e',
  'n',
  's',
  't',
  'y',
] as const;
/** Short stems collide across languages ("offer"/"offen" → "off"); a plural s may leave three letters ("abos"). */
const MIN_STEM_LENGTH = 4;
const MIN_PLURAL_STEM_LENGTH = 3;

function stripOnce(word: string): string {
  for (const suffix of SUFFIXES) {
    if (!word.endsWith(suffix)) continue;
    const minimum = suffix === 's' ? MIN_PLURAL_STEM_LENGTH : MIN_STEM_LENGTH;
    if (word.length - suffix.length < minimum) continue;
    // "adresse"/"address": a double s is part of the stem, not a plural.
    if (suffix === 's' && word.endsWith('ss')) continue;
    return word.slice(0, -suffix.length);
  }
  return word;
}

const cache = new Map<string, string>();
const CACHE_LIMIT = 50_000;

export function stem(word: string): string {
  let stemmed = cache.get(word);
  if (stemmed === undefined) {
    stemmed = stripOnce(stripOnce(word));
    // Bounded: questions are unbounded input.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(word, stemmed);
  }
  return stemmed;
}
