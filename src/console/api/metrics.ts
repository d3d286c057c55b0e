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
  /** Handoffs in office hours whose wait for a person (queued → taken over, or until now) passed the target. */
  slaBreaches: number;
  /** Ratings after these handoffs (CSAT): how many answered and their average (1–5), null without any. */
  csatAnswered: number;
  csatAverage: number | null;
}

/** The waiting-time target (ms) of a handoff with this reason. */
export type SlaTarget = (reason: string) => number;

/** Whether this handoff waited longer than its target; after-hours handoffs have no target. */
export function breachedSla(
  row: { reason: string; queued_at: number; assigned_at: number | null; after_hours: number },
  target: SlaTarget,
  now: number,
): boolean {
  if (Number(row.after_hours) === 1) return false;
  const waited = (row.assigned_at === null ? now : Number(row.assigned_at)) - Number(row.queued_at);
  return waited > target(row.reason);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

function csatOf(scores: ReadonlyArray<number | null | undefined>) {
  const answered = scores.filter((x): x is number => x !== null && x !== undefined).map(Number);
  return {
    csatAnswered: answered.length,
    csatAverage:
      answered.length === 0
        ? null
        : Math.round((answered.reduce((a, b) => a + b, 0) / answered.length) * 100) / 100,
  };
}

export async function handoffMetrics(
  store: Store,
  from: Date,
  to: Date,
  target: SlaTarget,
  now: Date,
): Promise<{ agents: MetricsRow[]; teams: MetricsRow[]; waiting: number; slaBreaches: number }> {
  const db = withHandoffTables(store.db);
  const rows = await db
    .selectFrom('handoff_sessions as h')
    .leftJoin('console_users as u', 'u.id', 'h.agent_id')
    .leftJoin('csat_surveys as c', 'c.session_id', 'h.id')
    .select([
      'c.score as csat_score',
      'h.agent_id',
      'h.team',
      'h.queued_at',
      'h.assigned_at',
      'h.first_response_at',
      'h.closed_at',
      'h.reason',
      'h.after_hours',
      'h.state',
      'u.display_name',
    ])
    .where('h.queued_at', '>=', from.getTime())
    .where('h.queued_at', '<', to.getTime())
    .execute();
  // A handoff still unanswered counts once it passed its target; one ended unanswered counts too.
  const isBreach = (r: (typeof rows)[number]) =>
    breachedSla(
      {
        reason: r.reason,
        queued_at: Number(r.queued_at),
        assigned_at:
          r.assigned_at !== null ? Number(r.assigned_at) : r.closed_at !== null ? Number(r.closed_at) : null,
        after_hours: Number(r.after_hours),
      },
      target,
      now.getTime(),
    );
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
          slaBreaches: list.filter((r) => isBreach(r)).length,
          ...csatOf(list.map((r) => r.csat_score)),
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
    slaBreaches: rows.filter(isBreach).length,
  };
}
