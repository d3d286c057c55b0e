/** Table types of the insights tables (migration 0800-insights). Neither table holds a contact id. */
import type { Kysely } from 'kysely';
import type { CoreTables } from '../../store/schema.js';

/** One row per run of a recorded action (faq.answer, faq.feedback) and its outcome. */
export type InsightActionOutcomesTable = {
  id: string;
  action: string;
  outcome: string;
  channel: string;
  created_at: number;
};

/** One row per download of an event's .ics file. */
export type EventIcsDownloadsTable = {
  id: string;
  event_id: string;
  created_at: number;
};

export type InsightTables = {
  insight_action_outcomes: InsightActionOutcomesTable;
  event_ics_downloads: EventIcsDownloadsTable;
};

export function withInsightTables(db: Kysely<CoreTables>): Kysely<CoreTables & InsightTables> {
  return db.withTables<InsightTables>();
}
