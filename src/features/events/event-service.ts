/**
 * Creating, changing, deleting and syncing events. Every change goes through `applyEventChange`, so a
 * move or cancellation over the API and one in a YAML file reach the people who asked in the same way.
 */
import type { z } from 'zod';
import { ApiError } from '../../http/api-support.js';
import type { Logger } from '../../logger.js';
import { newId } from '../../store/ids.js';
import {
  type EventDefinition,
  type EventPatch,
  type eventCreateSchema,
  eventDefinitionSchema,
  type LoadedEventDefinition,
} from './definitions.js';
import {
  type EventRecord,
  findEvent,
  recordFromDefinition,
  recordFromRow,
  rowFromRecord,
  sameContent,
} from './records.js';
import { applyEventChange, type EventChangeResult } from './reminders.js';
import type { EventsDb } from './tables.js';
import type { EventLinks } from './texts.js';
import type { EventTemplateFor } from './whatsapp-template.js';

export interface EventServiceDeps {
  db: EventsDb;
  links: (eventId: string) => EventLinks;
  /** The WhatsApp template change notices carry for closed windows. */
  templateFor?: EventTemplateFor;
  /** Whether a newsletter topic exists; undefined = not checked (newsletter feature absent). */
  topicExists?: (topic: string) => boolean;
}

function definitionOf(record: EventRecord): EventDefinition {
  return {
    id: record.id,
    title: record.title,
    ...(record.description !== null ? { description: record.description } : {}),
    start: record.startLocal,
    ...(record.endLocal !== null ? { end: record.endLocal } : {}),
    time_zone: record.timeZone,
    ...(record.place !== null ? { place: record.place } : {}),
    ...(record.onlineUrl !== null ? { online_url: record.onlineUrl } : {}),
    ...(record.topic !== null ? { topic: record.topic } : {}),
    reminders: record.reminders,
    status: record.status,
  };
}

function checkTopic(deps: EventServiceDeps, topic: string | undefined | null): void {
  if (topic && deps.topicExists && !deps.topicExists(topic)) {
    throw new ApiError(400, 'invalid body', [
      { path: 'topic', message: `unknown newsletter topic "${topic}"` },
    ]);
  }
}

export async function createApiEvent(
  deps: EventServiceDeps,
  input: z.output<typeof eventCreateSchema>,
  now: number,
): Promise<EventRecord> {
  checkTopic(deps, input.topic);
  const id = input.id ?? newId(now).slice(0, 24);
  const record = recordFromDefinition({ ...input, id }, 'api', now);
  const inserted = await deps.db
    .insertInto('events')
    .values(rowFromRecord(record))
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0)
    throw new ApiError(409, `an event with id ${id} already exists`);
  return record;
}

function requireApiOwned(event: EventRecord): void {
  if (event.source !== 'api') {
    const file = event.source.replace(/^yaml:/, '');
    throw new ApiError(
      409,
      `event ${event.id} is defined in ${file}; change it there (the file wins on reload)`,
    );
  }
}

export async function patchApiEvent(
  deps: EventServiceDeps,
  id: string,
  patch: EventPatch,
  now: number,
): Promise<{ event: EventRecord; change: EventChangeResult }> {
  const before = await findEvent(deps.db, id);
  if (!before) throw new ApiError(404, `event ${id} not found`);
  requireApiOwned(before);
  checkTopic(deps, patch.topic);
  const merged: Record<string, unknown> = { ...definitionOf(before) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  const parsed = eventDefinitionSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ApiError(
      400,
      'invalid body',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const after = recordFromDefinition(parsed.data, before.source, now, before);
  const change = await applyEventChange(deps.db, before, after, now, deps.links, deps.templateFor);
  return { event: after, change };
}

/** Cancels (telling those who asked) and hides the event; its reminder history stays. */
export async function deleteApiEvent(
  deps: EventServiceDeps,
  id: string,
  now: number,
): Promise<EventChangeResult> {
  const before = await findEvent(deps.db, id);
  if (!before) throw new ApiError(404, `event ${id} not found`);
  requireApiOwned(before);
  const after: EventRecord = { ...before, status: 'cancelled', deletedAt: now, updatedAt: now };
  return applyEventChange(deps.db, before, after, now, deps.links, deps.templateFor);
}

export interface SyncReport {
  created: string[];
  updated: string[];
  unchanged: number;
  problems: string[];
}

/** Brings the database in line with flows/events (YAML wins for its own events; API events are untouched). */
export async function syncYamlEvents(
  deps: EventServiceDeps,
  loaded: readonly LoadedEventDefinition[],
  now: number,
  logger: Logger,
): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], unchanged: 0, problems: [] };
  const inFiles = new Set<string>();
  for (const { definition, file } of loaded) {
    inFiles.add(definition.id);
    if (definition.topic && deps.topicExists && !deps.topicExists(definition.topic)) {
      report.problems.push(`${file}: event ${definition.id}: unknown newsletter topic "${definition.topic}"`);
    }
    const source = `yaml:${file}`;
    const row = await deps.db
      .selectFrom('events')
      .selectAll()
      .where('id', '=', definition.id)
      .executeTakeFirst();
    if (!row) {
      const record = recordFromDefinition(definition, source, now);
      await deps.db
        .insertInto('events')
        .values(rowFromRecord(record))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      report.created.push(definition.id);
      continue;
    }
    const before = recordFromRow(row);
    if (before.source === 'api') {
      report.problems.push(
        `${file}: event id "${definition.id}" is already used by an event created over the API`,
      );
      continue;
    }
    const after = recordFromDefinition(definition, source, now, before);
    if (sameContent(before, { ...after, updatedAt: before.updatedAt })) {
      report.unchanged += 1;
      continue;
    }
    const change = await applyEventChange(deps.db, before, after, now, deps.links, deps.templateFor);
    report.updated.push(definition.id);
    if (change.notice)
      logger.info({ eventId: definition.id, ...change }, 'event changed in flows/events; people notified');
  }
  const orphans = await deps.db
    .selectFrom('events')
    .select(['id', 'source'])
    .where('source', 'like', 'yaml:%')
    .where('deleted_at', 'is', null)
    .where('status', '=', 'scheduled')
    .where('starts_at', '>', now)
    .execute();
  for (const orphan of orphans) {
    if (!inFiles.has(orphan.id)) {
      report.problems.push(
        `${orphan.source.slice(5)}: event ${orphan.id} is no longer in the files but still scheduled; set status: cancelled to cancel it`,
      );
    }
  }
  for (const problem of report.problems) logger.warn(problem);
  return report;
}
