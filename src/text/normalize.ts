/**
 * Folds text for matching what people type against what marketers wrote: case, umlaut spellings (ü/ue),
 * ß/ss, accents, punctuation and spacing do not matter. Shared by triggers, choices and the FAQ matcher.
 */

const UMLAUTS: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };

export function normalizeForMatching(text: string): string {
  return text
    .toLowerCase()
    .replace(/[äöüß]/g, (ch) => UMLAUTS[ch] ?? ch)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}@.+\s-]/gu, ' ')
    .replace(/(?<!\p{N})[.+-]|[.+-](?!\p{N})/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether `phrase` occurs in `text` as whole words, both already normalized. */
export function containsPhrase(normalizedText: string, normalizedPhrase: string): boolean {
  if (!normalizedPhrase) return false;
  return ` ${normalizedText} `.includes(` ${normalizedPhrase} `);
}
