/**
 * Text normalisation for matching: folds case, umlauts, ß and accents, strips punctuation and splits
 * into word tokens. Everything the matcher compares goes through here, on both sides.
 */

/** Lowercase, umlauts to ae/oe/ue, ß to ss, accents removed, punctuation to spaces, single spaces. */
export function foldText(text: string): string {
  return text
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The spelling-independent key of a folded word: `ae`/`oe`/`ue` collapse to `a`/`o`/`u`.
 * Why: customers type ü as ü, ue or u ("rückgabe", "rueckgabe", "ruckgabe"); all three must meet.
 * Applied to both sides, the rare collisions it causes ("schon"/"schön") cost less than the misses it saves.
 */
export function spellingKey(foldedWord: string): string {
  return foldedWord.replace(/ae/g, 'a').replace(/oe/g, 'o').replace(/ue/g, 'u');
}

/** Folded word tokens of a text in their order; single letters and bare numbers carry no meaning here. */
export function tokenize(text: string): string[] {
  const folded = foldText(text);
  if (folded === '') return [];
  return folded.split(' ').filter((token) => token.length > 1 && !/^\d+$/.test(token));
}

/** Tokens in their spelling-key form: what the analyser works on. */
export function keyTokens(text: string): string[] {
  return tokenize(text).map(spellingKey);
}
