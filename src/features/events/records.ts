/** Stored events as the rest of the feature sees them, and the conversion from a definition. */
import { fromJson, toJson } from '../../store/json.js';
import type { Localized } from '../newsletter/localized.js';
import { type EventDefinition, instantOf } from './definitions.js';
import type { EventsDb, EventsTable } from './tables.js';

export interface EventRecord {
  id: string;
  source: string;
  title: Localized;
  description: Localized | null;
  startLocal: string;
  endLocal: string | null;
  timeZone: string;
  startsAt: number;
  endsAt: number | null;
  place: string | null;
  onlineUrl: string | null;
  topic: string | null;
  reminders: string[];
  status: 'scheduled' | 'cancelled';
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export function recordFromRow(row: EventsTable): EventRecord {
  return {
    id: row.id,
    source: row.source,
    title: fromJson<Localized>(row.title, row.id),
    description: row.description === null ? null : fromJson<Localized | null>(row.description, null),
    startLocal: row.start_local,
    endLocal: row.end_local,
    timeZone: row.time_zone,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    place: row.place,
    onlineUrl: row.online_url,
    topic: row.topic,
    reminders: fromJson<string[]>(row.reminders, []),
    status: row.status === 'cancelled' ? 'cancelled' : 'scheduled',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

export function rowFromRecord(record: EventRecord): EventsTable {
  return {
    id: record.id,
    source: record.source,
    title: toJson(record.title),
    description: record.description === null ? null : toJson(record.description),
    start_local: record.startLocal,
    end_local: record.endLocal,
    time_zone: record.timeZone,
    starts_at: record.startsAt,
    ends_at: record.endsAt,
    place: record.place,
    online_url: record.onlineUrl,
    topic: record.topic,
    reminders: toJson(record.reminders),
    status: record.status,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    deleted_at: record.deletedAt,
  };
}

/** A definition as it will be stored; `base` keeps creation time and source of an existing event. */
export function recordFromDefinition(
  definition: Omit<EventDefinition, 'id'> & { id: string },
  source: string,
  now: number,
  base?: EventRecord,
): EventRecord {
  return {
    id: definition.id,
    source,
    title: definition.title,
    description: definition.description ?? null,
    startLocal: definition.start,
    endLocal: definition.end ?? null,
    timeZone: definition.time_zone,
    startsAt: instantOf(definition.start, definition.time_zone),
    endsAt: definition.end ? instantOf(definition.end, definition.time_zone) : null,
    place: definition.place ?? null,
    onlineUrl: definition.online_url ?? null,
    topic: definition.topic ?? null,
    reminders: definition.reminders,
    status: definition.status,
    createdAt: base?.createdAt ?? now,
    updatedAt: now,
    deletedAt: null,
  };
}

/** Whether two records describe the same event for customers (ignores bookkeeping times). */
export function sameContent(a: EventRecord, b: EventRecord): boolean {
  const { createdAt: _a1, updatedAt: _a2, ...left } = a;
  const { createdAt: _b1, updatedAt: _b2, ...right } = b;
  return JSON.stringify(left) === JSON.stringify(right);
}

export async function findEvent(
  db: EventsDb,
  id: string,
  includeDeleted = false,
): Promise<EventRecord | null> {
  let query = db.selectFrom('events').selectAll().where('id', '=', id);
  if (!includeDeleted) query = query.where('deleted_at', 'is', null);
  const row = await query.executeTakeFirst();
  return row ? recordFromRow(row) : null;
}

export async function upcomingEvents(
  db: EventsDb,
  now: number,
  options: { topic?: string | undefined; limit: number; offset?: number },
): Promise<EventRecord[]> {
  let query = db
    .selectFrom('events')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('status', '=', 'scheduled')
    .where('starts_at', '>', now);
  if (options.topic) query = query.where('topic', '=', options.topic);
  const rows = await query
    .orderBy('starts_at')
    .orderBy('id')
    .limit(options.limit)
    .offset(options.offset ?? 0)
    .execute();
  return rows.map(recordFromRow);
}
