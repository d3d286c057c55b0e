/** Table types of the events feature (created by migration 0300-events). */
import type { Kysely } from 'kysely';
import type { CoreTables } from '../../store/schema.js';

export type EventsTable = {
  id: string;
  /** `yaml:<file>` (flows/events, edited there) or `api`. */
  source: string;
  /** JSON Localized. */
  title: string;
  /** JSON Localized or null. */
  description: string | null;
  /** Wall-clock start in `time_zone`, e.g. 2026-12-10T19:00. */
  start_local: string;
  end_local: string | null;
  time_zone: string;
  /** The same instants in epoch ms (UTC), for queries and scheduling. */
  starts_at: number;
  ends_at: number | null;
  place: string | null;
  online_url: string | null;
  /** Newsletter topic of its audience (announcements). */
  topic: string | null;
  /** JSON array of ISO-8601 durations before the start, e.g. ["P1D","PT1H"]. */
  reminders: string;
  /** scheduled | cancelled */
  status: string;
  created_at: number;
  updated_at: number;
  /** Set by DELETE over the API: hidden, but kept for the reminders' history. */
  deleted_at: number | null;
};

export type ReminderStatus = 'pending' | 'sent' | 'skipped' | 'cancelled' | 'forgotten';

/** One row per (event, person, offset): the exactly-once key of reminders. */
export type EventRemindersTable = {
  id: string;
  event_id: string;
  contact_id: string;
  /** ISO-8601 duration before the start. */
  offset: string;
  due_at: number;
  /** pending | sent | skipped | cancelled | forgotten */
  status: string;
  reason: string | null;
  outbox_id: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
};

export type EventTables = {
  events: EventsTable;
  event_reminders: EventRemindersTable;
};

export type EventsDb = Kysely<CoreTables & EventTables>;

export function withEventTables(db: Kysely<CoreTables>): EventsDb {
  return db.withTables<EventTables>();
}

export function asCoreDb(db: EventsDb): Kysely<CoreTables> {
  return db as unknown as Kysely<CoreTables>;
}
