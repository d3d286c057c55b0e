/**
 * CSV export that spreadsheets open safely: RFC 4180 quoting, and cells that a spreadsheet would run as a
 * formula (starting with = + - @, tab or carriage return) are defused with a leading apostrophe.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  // Numbers are data, not formulas: a net growth of -1 stays -1.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  if (/[",\r\n;]/.test(text) || text !== text.trim()) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Excel reads UTF-8 (umlauts!) only with a byte-order mark. */
export const CSV_BOM = '\uFEFF';
