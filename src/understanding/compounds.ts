/**
 * Splits German compound words into known words: "versandkostenfrei" → versand + kosten (+ frei, if known),
 * "lieferanschrift" → liefer (+ anschrift). Known words come from the knowledge base itself.
 */
/** Fugen-elements that glue German compound parts together ("Versand-s-kosten", "Bohne-n-sorte"). */
const LINKING_ELEMENTS = ['s', 'es', 'n', 'en', 'e'] as const;
const MIN_PART_LENGTH = 3;
const MIN_COMPOUND_LENGTH = 8;
/**
 * Known parts must explain a good share of the word, or the "split" is a coincidence; a long known part
 * ("liefer" in "lieferanschrift") is worth more than a short one.
 */
const MIN_KNOWN_SHARE = 0.34;
const MIN_SHARE_WITH_SHORT_PARTS = 0.6;
const LONG_PART_LENGTH = 5;

/**
 * The known words a compound is made of (at least one, and not the whole word), or null.
 * Dynamic programming over split points: a known part costs 1, each letter no known word explains costs 1,
 * a linking element 0.5. Unexplained letters may stay between and after parts, but the word must start
 * with a known part. `isKnown` should be cheap (the analyser caches it): it is asked about every substring.
 */
export function splitCompound(word: string, isKnown: (piece: string) => boolean): string[] | null {
  const length = word.length;
  if (length < MIN_COMPOUND_LENGTH) return null;
  const cost = new Float64Array(length + 1).fill(Number.POSITIVE_INFINITY);
  const knownLetters = new Int32Array(length + 1);
  const partCount = new Int32Array(length + 1);
  // Back-pointers: where the step into this position started, and whether it was a known part.
  const previous = new Int32Array(length + 1).fill(-1);
  const partEnd = new Int32Array(length + 1).fill(-1);
  cost[0] = 0;
  const offer = (
    position: number,
    from: number,
    value: number,
    letters: number,
    parts: number,
    end: number,
  ) => {
    if (value >= cost[position]!) return;
    cost[position] = value;
    knownLetters[position] = letters;
    partCount[position] = parts;
    previous[position] = from;
    partEnd[position] = end;
  };
  for (let start = 0; start < length; start++) {
    if (cost[start] === Number.POSITIVE_INFINITY) continue;
    const parts = partCount[start]!;
    const letters = knownLetters[start]!;
    // Letters no known word explains may follow a known part, never open the word: "espresso" is not "…press…".
    if (parts > 0) offer(start + 1, start, cost[start]! + 1, letters, parts, -1);
    for (let end = start + MIN_PART_LENGTH; end <= length; end++) {
      if (start === 0 && end === length) continue;
      const piece = word.slice(start, end);
      if (!isKnown(piece)) continue;
      const value = cost[start]! + 1;
      const withPart = letters + piece.length;
      offer(end, start, value, withPart, parts + 1, end);
      for (const link of LINKING_ELEMENTS) {
        const next = end + link.length;
        if (next < length && word.startsWith(link, end))
          offer(next, start, value + 0.5, withPart, parts + 1, end);
      }
    }
  }
  if (cost[length] === Number.POSITIVE_INFINITY || partCount[length] === 0) return null;
  const result: string[] = [];
  for (let position = length; position > 0; position = previous[position]!) {
    const from = previous[position]!;
    if (partEnd[position]! >= 0) result.push(word.slice(from, partEnd[position]!));
  }
  result.reverse();
  const hasLongPart = result.some((part) => part.length >= LONG_PART_LENGTH);
  const minimumShare = hasLongPart ? MIN_KNOWN_SHARE : MIN_SHARE_WITH_SHORT_PARTS;
  return knownLetters[length]! >= length * minimumShare ? result : null;
}

/** Known words of at least `minLength` letters found inside `word`: the last resort for unknown compounds. */
export function knownWordsInside(word: string, knownWords: Iterable<string>, minLength: number): string[] {
  const found: string[] = [];
  for (const known of knownWords) {
    if (known.length >= minLength && known.length < word.length && word.includes(known)) found.push(known);
  }
  return found;
}
