/**
 * Works out which offered option a customer meant: by typed number (`2`, `2.`, `Nr. 2`, as on WhatsApp Web
 * where buttons are numbered text), by label in any locale, by a label that appears, unambiguously and as
 * whole words, inside a longer message ("ich hätte gern Events bitte"), or by a part of one label.
 */
import { containsPhrase, normalizeForMatching } from '../text/normalize.js';

export interface ChoiceOption {
  /** Every way this option may be named: labels in all locales, its value. */
  names: string[];
}

const TYPED_NUMBER = /^\s*(?:(?:nr|no|nummer|number|option)\.?\s*|#\s*)?(\d{1,2})\s*[.):]?\s*$/i;

/** The 0-based option index a typed number points at, or null when the text is not a number in range. */
export function matchTypedNumber(text: string, optionCount: number): number | null {
  const match = TYPED_NUMBER.exec(text);
  if (!match) return null;
  const n = Number(match[1]);
  return n >= 1 && n <= optionCount ? n - 1 : null;
}

/** Whether the text looks like a typed option number at all (in range or not). */
export function looksLikeTypedNumber(text: string): boolean {
  return TYPED_NUMBER.test(text);
}

/** The index of the option the text names, or null. Exact names beat names found inside longer text. */
export function matchChoiceText(text: string, options: readonly ChoiceOption[]): number | null {
  const byNumber = matchTypedNumber(text, options.length);
  if (byNumber !== null) return byNumber;

  const normalized = normalizeForMatching(text);
  if (!normalized) return null;
  const normalizedNames = options.map((o) => o.names.map(normalizeForMatching).filter(Boolean));

  const exact = uniqueIndex(normalizedNames, (names) => names.includes(normalized));
  if (exact !== null) return exact;

  // Inside a longer message: the longest contained name decides; a tie between options is ambiguous.
  let best: { index: number; length: number } | null = null;
  let tie = false;
  normalizedNames.forEach((names, index) => {
    for (const name of names) {
      if (!containsPhrase(normalized, name)) continue;
      if (!best || name.length > best.length) {
        best = { index, length: name.length };
        tie = false;
      } else if (name.length === best.length && best.index !== index) {
        tie = true;
      }
    }
  });
  const found = best as { index: number; length: number } | null;
  if (found) return tie ? null : found.index;

  // Part of a label: "Röst-News" for "Röst-News (monatlich)", when only one option has it.
  if (normalized.length < 3) return null;
  return uniqueIndex(normalizedNames, (names) => names.some((name) => containsPhrase(name, normalized)));
}

function uniqueIndex(normalizedNames: string[][], test: (names: string[]) => boolean): number | null {
  const hits = normalizedNames.flatMap((names, index) => (test(names) ? [index] : []));
  return hits.length === 1 ? hits[0]! : null;
}
