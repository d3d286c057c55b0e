/**
 * Splits a text that is too long for one platform message into parts that each fit, cutting where a reader
 * expects a break: between paragraphs, then lines, then sentences, then words; only a single word longer
 * than the limit is cut inside (and never through a surrogate pair or a combining mark).
 */

/** Where a part may end, strongest break first. */
const BREAKS: readonly RegExp[] = [
  /\n\s*\n/g, // paragraph
  /\n/g, // line
  /[.!?…]+["'»«“”)]*\s+/g, // sentence end followed by space
  /[;:,]\s+/g, // clause
  /\s+/g, // word
];

/**
 * Splits `text` into parts of at most `maxLength` UTF-16 code units (what platforms count: Telegram counts
 * UTF-16 units, the others are at least as generous). Parts are trimmed; empty parts are dropped.
 * A text that already fits comes back as one part (trimmed); an empty text gives no parts.
 */
export function splitText(text: string, maxLength: number): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`splitText: maxLength must be a positive integer, got ${maxLength}`);
  }
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > maxLength) {
    const cut = findCut(rest, maxLength);
    const part = rest.slice(0, cut).trimEnd();
    if (part.length > 0) parts.push(part);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/** Index to cut `text` at so the first part is ≤ maxLength and ends at the strongest break available. */
function findCut(text: string, maxLength: number): number {
  // A break in the first fifth would leave a tiny part; prefer a weaker break further on.
  const minimum = Math.floor(maxLength / 5);
  for (const pattern of BREAKS) {
    const cut = lastBreakEnd(text, pattern, maxLength, minimum);
    if (cut !== null) return cut;
  }
  return safeHardCut(text, maxLength);
}

/** End of the last match of `pattern` whose start lies within (minimum, maxLength]; the break itself is dropped. */
function lastBreakEnd(text: string, pattern: RegExp, maxLength: number, minimum: number): number | null {
  const window = text.slice(0, maxLength + 1);
  let best: number | null = null;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(window); match !== null; match = pattern.exec(window)) {
    // Keep sentence punctuation with the sentence: cut after the punctuation, before the whitespace.
    const keep = match[0].replace(/\s+$/, '').length;
    const cutAt = match.index + keep;
    if (cutAt > minimum && cutAt <= maxLength) best = cutAt;
    if (match[0].length === 0) pattern.lastIndex += 1;
  }
  return best;
}

/** Cuts at maxLength but never between a surrogate pair or before a combining mark / variation selector. */
function safeHardCut(text: string, maxLength: number): number {
  let cut = maxLength;
  while (cut > 1 && isInsideCluster(text, cut)) cut -= 1;
  return cut;
}

function isInsideCluster(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  const previous = text.charCodeAt(index - 1);
  const lowSurrogateAfterHigh = code >= 0xdc00 && code <= 0xdfff && previous >= 0xd800 && previous <= 0xdbff;
  const nextChar = text.slice(index, index + 1);
  const joins = /^\p{M}/u.test(nextChar) || code === 0x200d || code === 0xfe0f || previous === 0x200d;
  return lowSurrogateAfterHigh || joins;
}
