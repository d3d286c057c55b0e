/**
 * Lays buttons out in rows for platforms with inline keyboards: short labels share a row, long ones get their
 * own, so a keyboard of many options stays readable on a phone.
 */

export interface ButtonRowOptions {
  /** Most buttons in one row (default 2). */
  maxPerRow?: number;
  /** Labels longer than this stand alone in their row (default 20 characters). */
  wideLabelLength?: number;
}

/** Groups `items` into rows, keeping their order. */
export function chunkButtonRows<T extends { label: string }>(
  items: readonly T[],
  options: ButtonRowOptions = {},
): T[][] {
  const maxPerRow = Math.max(1, options.maxPerRow ?? 2);
  const wide = options.wideLabelLength ?? 20;
  const rows: T[][] = [];
  let row: T[] = [];
  for (const item of items) {
    const isWide = [...item.label].length > wide;
    if (isWide) {
      if (row.length > 0) rows.push(row);
      rows.push([item]);
      row = [];
      continue;
    }
    row.push(item);
    if (row.length >= maxPerRow) {
      rows.push(row);
      row = [];
    }
  }
  if (row.length > 0) rows.push(row);
  return rows;
}
