/** Metrics per agent and team over a date range: conversations handled, first response time, handling time. */

import { withHandoffTables } from '../../features/handoff/tables.js';
import type { Store } from '../../store/database.js';

export interface MetricsRow {
  key: string;
  name: string;
  handled: number;
  /** Median milliseconds from queued to the first agent reply. */
  medianFirstResponseMs: number | null;
  /** Median milliseconds from taken over to returned/closed. */
  medianHandlingMs: number | null;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

export async function handoffMetrics(
  store: Store,
  from: Date,
  to: Date,
): Promise<{ agents: MetricsRow[]; teams: MetricsRow[]; waiting: number }> {
  const db = withHandoffTables(store.db);
  const rows = await db
    .selectFrom('handoff_sessions as h')
    .leftJoin('console_users as u', 'u.id', 'h.agent_id')
    .select([
      'h.agent_id',
      'h.team',
      'h.queued_at',
      'h.assigned_at',
      'h.first_response_at',
      'h.closed_at',
      'u.display_name',
    ])
    .where('h.queued_at', '>=', from.getTime())
    .where('h.queued_at', '<', to.getTime())
    .execute();
  const group = (
    keyOf: (r: (typeof rows)[number]) => string | null,
    nameOf: (r: (typeof rows)[number]) => string,
  ) => {
    const groups = new Map<string, { name: string; rows: typeof rows }>();
    for (const row of rows) {
      const key = keyOf(row);
      if (key === null) continue;
      const entry = groups.get(key) ?? { name: nameOf(row), rows: [] };
      entry.rows.push(row);
      groups.set(key, entry);
    }
    return [...groups.entries()]
      .map(
        ([key, { name, rows: list }]): MetricsRow => ({
          key,
          name,
          handled: list.filter((r) => r.agent_id !== null && r.closed_at !== null).length,
          medianFirstResponseMs: median(
            list
              .filter((r) => r.first_response_at !== null)
              .map((r) => Number(r.first_response_at) - Number(r.queued_at)),
          ),
          medianHandlingMs: median(
            list
              .filter((r) => r.assigned_at !== null && r.closed_at !== null)
              .map((r) => Number(r.closed_at) - Number(r.assigned_at)),
          ),
        }),
      )
      .sort((a, b) => b.handled - a.handled || a.name.localeCompare(b.name));
  };
  const waiting = await store.db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return {
    agents: group(
      (r) => r.agent_id,
      (r) => r.display_name ?? '—',
    ),
    teams: group(
      (r) => r.team ?? '—',
      (r) => r.team ?? '—',
    ),
    waiting: Number(waiting?.n ?? 0),
  };
}
