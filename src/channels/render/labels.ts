/**
 * Fits button labels and payloads into platform limits: labels are shortened with an ellipsis at a grapheme
 * boundary (a flag or an emoji with skin tone is never cut in half); payloads are cut to a byte budget.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/**
 * Shortens `label` to at most `maxLength` graphemes, ending in "…" when cut; prefers cutting at a word
 * boundary when one lies in the last third. Whitespace is collapsed first.
 */
export function truncateLabel(label: string, maxLength: number): string {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`truncateLabel: maxLength must be a positive integer, got ${maxLength}`);
  }
  const clean = label.replace(/\s+/g, ' ').trim();
  const chars = graphemes(clean);
  if (chars.length <= maxLength) return clean;
  if (maxLength === 1) return '…';
  const kept = chars.slice(0, maxLength - 1).join('');
  const lastSpace = kept.lastIndexOf(' ');
  const wordCut = lastSpace >= Math.floor(((maxLength - 1) * 2) / 3) ? kept.slice(0, lastSpace) : kept;
  return `${wordCut.trimEnd()}…`;
}

/** UTF-8 length of `text` in bytes (Telegram's callback_data limit is in bytes). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Longest prefix of `text` of at most `maxBytes` UTF-8 bytes that does not cut a code point. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let bytes = 0;
  let result = '';
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    result += char;
  }
  return result;
}
