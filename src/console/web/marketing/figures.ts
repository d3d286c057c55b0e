/** The dashboard's view of /console/api/insights: the figure tables and how to ask for them. */
export type Cell = string | number | null;
export interface FigureTable {
  figure: string;
  from: string;
  to: string;
  channels: string[];
  columns: string[];
  rows: Array<Record<string, Cell>>;
  summary?: Record<string, number | null>;
}

export interface FigureFilter {
  from: string;
  to: string;
  channel: string;
  campaign: string;
}

export function figureQuery(filter: FigureFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ from: filter.from, to: filter.to, ...extra });
  if (filter.channel) params.set('channel', filter.channel);
  if (filter.campaign) params.set('campaign', filter.campaign);
  return params.toString();
}

/** The distinct values of one column, in first-seen order (days, channels, topics). */
export function distinct(rows: FigureTable['rows'], column: string): string[] {
  return [...new Set(rows.map((r) => String(r[column] ?? '')))];
}

export const num = (value: Cell | undefined): number =>
  typeof value === 'number' ? value : Number(value ?? 0);
