/**
 * REST routes of the events feature: events CRUD under /api/v1 (YAML events are read-only there), reminder
 * counts, announcements to a topic's subscribers, and the public `GET /events/:id.ics`.
 */

import express, { type Router } from 'express';
import { isbot } from 'isbot';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TEMPLATE_NAME } from '../../channels/whatsapp-cloud/templates.js';
import { ApiError, paginationSchema, parseInput, route } from '../../http/api-support.js';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import { withInsightTables } from '../insights/tables.js';
import { segmentSchema } from '../newsletter/broadcast-schema.js';
import { createBroadcast, scheduleBroadcast } from '../newsletter/broadcasts.js';
import type { NewsletterFeature } from '../newsletter/index.js';
import type { Localized } from '../newsletter/localized.js';
import { eventCreateSchema, eventPatchSchema } from './definitions.js';
import { createApiEvent, deleteApiEvent, type EventServiceDeps, patchApiEvent } from './event-service.js';
import { eventAsIcs } from './ics.js';
import { type EventRecord, findEvent, recordFromRow } from './records.js';
import { reminderCounts } from './reminders.js';
import type { EventsDb } from './tables.js';
import { eventText, eventTitle, formatEventStart, localizedEventText } from './texts.js';

export interface EventsApiDeps extends EventServiceDeps {
  db: EventsDb;
  now: () => Date;
  icsUrl: (eventId: string) => string;
  hostname: string;
  newsletter?: NewsletterFeature;
  /** `flow.step` the announcement's "Erinnere mich" button opens (it should run `events.remind`). */
  remindStep: string;
}

const idParam = z.object({ id: z.string().min(1).max(64) });

const localizedText = z.union([
  z.string().trim().min(1).max(4000),
  z.record(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/), z.string().trim().min(1).max(4000)),
]);

export const announceSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  /** When to send; now when absent. */
  at: z.iso.datetime({ offset: true, message: 'at is an ISO date-time with offset' }).optional(),
  /** Replaces the generated invitation text. */
  text: localizedText.optional(),
  /** An approved WhatsApp template (flows/whatsapp/templates.yaml) for WhatsApp recipients whose window is closed. */
  whatsappTemplate: z
    .string()
    .regex(TEMPLATE_NAME, 'a template name is lowercase letters, digits and _')
    .optional(),
  segment: segmentSchema,
});

const listQuery = paginationSchema.extend({
  include_past: z.enum(['true', 'false']).default('false'),
  topic: z.string().optional(),
  status: z.enum(['scheduled', 'cancelled']).optional(),
});

export function eventView(event: EventRecord, icsUrl: string) {
  return {
    id: event.id,
    source: event.source,
    editable: event.source === 'api',
    title: event.title,
    description: event.description,
    start: event.startLocal,
    end: event.endLocal,
    time_zone: event.timeZone,
    starts_at: new Date(event.startsAt).toISOString(),
    ends_at: event.endsAt === null ? null : new Date(event.endsAt).toISOString(),
    place: event.place,
    online_url: event.onlineUrl,
    topic: event.topic,
    reminders: event.reminders,
    status: event.status,
    ics_url: icsUrl,
    updated_at: new Date(event.updatedAt).toISOString(),
  };
}

/** The generated invitation in every locale the event has a title in (at least de and en). */
function announcementText(event: EventRecord): Localized {
  const locales = new Set(['de', 'en', ...(typeof event.title === 'string' ? [] : Object.keys(event.title))]);
  const text: Record<string, string> = {};
  for (const locale of locales) {
    const lines = [
      eventText('announcement', locale, {
        title: eventTitle(event, locale),
        date: formatEventStart(event.startsAt, event.timeZone, locale),
      }),
    ];
    if (event.place) lines.push(eventText('place', locale, { place: event.place }));
    if (event.onlineUrl) lines.push(eventText('online', locale, { url: event.onlineUrl }));
    if (event.description) {
      const description =
        typeof event.description === 'string' ? event.description : event.description[locale];
      if (description) lines.push('', description);
    }
    text[locale] = lines.join('\n');
  }
  return text;
}

export function createEventsApiRouter(deps: EventsApiDeps): Router {
  const { db } = deps;
  const router = express.Router();
  router.use(express.json({ limit: '256kb' }));
  const view = (event: EventRecord) => eventView(event, deps.icsUrl(event.id));
  const requireEvent = async (id: string) => {
    const event = await findEvent(db, id);
    if (!event) throw new ApiError(404, `event ${id} not found`);
    return event;
  };

  router.get(
    '/events',
    route(async (req, res) => {
      const query = parseInput(listQuery, req.query, 'query');
      let base = db.selectFrom('events').where('deleted_at', 'is', null);
      if (query.include_past === 'false') base = base.where('starts_at', '>', deps.now().getTime());
      if (query.topic) base = base.where('topic', '=', query.topic);
      if (query.status) base = base.where('status', '=', query.status);
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy('starts_at')
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      res.json({ total: Number(total.n), items: rows.map((r) => view(recordFromRow(r))) });
    }),
  );

  router.post(
    '/events',
    route(async (req, res) => {
      const body = parseInput(eventCreateSchema, req.body);
      const event = await createApiEvent(deps, body, deps.now().getTime());
      res.status(201).json(view(event));
    }),
  );

  router.get(
    '/events/:id',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      res.json(view(await requireEvent(id)));
    }),
  );

  router.patch(
    '/events/:id',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const body = parseInput(eventPatchSchema, req.body);
      const { event, change } = await patchApiEvent(deps, id, body, deps.now().getTime());
      res.json({ ...view(event), change });
    }),
  );

  router.delete(
    '/events/:id',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      await deleteApiEvent(deps, id, deps.now().getTime());
      res.status(204).end();
    }),
  );

  router.get(
    '/events/:id/reminders',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      await requireEvent(id);
      res.json({ eventId: id, ...(await reminderCounts(db, id)) });
    }),
  );

  router.post(
    '/events/:id/announce',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const body = parseInput(announceSchema, req.body);
      const newsletter = deps.newsletter;
      if (!newsletter)
        throw new ApiError(503, 'announcements need the newsletter feature, which is not enabled');
      const event = await requireEvent(id);
      const now = deps.now();
      if (event.status === 'cancelled') throw new ApiError(409, `event ${id} is cancelled`);
      if (event.startsAt <= now.getTime()) throw new ApiError(409, `event ${id} has already started`);
      if (!event.topic)
        throw new ApiError(409, `event ${id} has no topic; set one to say whom to announce it to`);
      const at = body.at ? new Date(body.at) : now;
      if (at.getTime() >= event.startsAt)
        throw new ApiError(400, 'invalid body', [{ path: 'at', message: 'at is after the event starts' }]);
      const payload = `go:${deps.remindStep}?event=${event.id}`;
      // Validate fully before writing: a refused schedule must not leave a stray draft behind.
      if (at.getTime() < now.getTime() - 60_000)
        throw new ApiError(400, 'invalid body', [{ path: 'at', message: 'at is in the past' }]);
      const draft = await createBroadcast(
        newsletter.db,
        newsletter.topics(),
        {
          name: body.name ?? `Announcement: ${eventTitle(event, newsletter.topics().defaultLocale)}`,
          topic: event.topic,
          content: {
            text: body.text ?? announcementText(event),
            buttons: [
              { label: localizedEventText('remind_me'), payload },
              { label: localizedEventText('calendar'), url: deps.icsUrl(event.id) },
            ],
            ...(body.whatsappTemplate ? { whatsappTemplate: body.whatsappTemplate } : {}),
          },
          segment: body.segment,
        },
        now,
        `event:${event.id}`,
        newsletter.templates(),
      );
      const scheduled = await scheduleBroadcast(newsletter.db, draft.id, at, now);
      if (at.getTime() <= now.getTime()) newsletter.kickFanOut();
      res.status(201).json({ broadcast: scheduled });
    }),
  );

  return router;
}

/** `GET /events/:id.ics`, public: people open it from the chat to add the event to their calendar. */
/** Counts a download for the dashboard; link-preview fetchers and crawlers are not people adding it. */
async function countIcsDownload(
  db: EventsDb,
  eventId: string,
  userAgent: string | undefined,
  now: Date,
): Promise<void> {
  if (userAgent && isbot(userAgent)) return;
  try {
    await withInsightTables(db as unknown as Kysely<CoreTables>)
      .insertInto('event_ics_downloads')
      .values({ id: newId(now.getTime()), event_id: eventId, created_at: now.getTime() })
      .execute();
  } catch {
    // A lost count must not cost the visitor the file.
  }
}

export function createEventsPublicRouter(
  deps: Pick<EventsApiDeps, 'db' | 'hostname' | 'icsUrl'> & { now?: () => Date },
): Router {
  const router = express.Router();
  router.get(
    '/events/:file',
    route(async (req, res) => {
      const file = String(req.params.file ?? '');
      const match = /^([a-z0-9][a-z0-9-]{0,63})\.ics$/.exec(file);
      const event = match?.[1] ? await findEvent(deps.db, match[1]) : null;
      if (!event) {
        res.status(404).type('text/plain').send('event not found');
        return;
      }
      const lang =
        typeof req.query.lang === 'string' && /^[a-z]{2}$/.test(req.query.lang) ? req.query.lang : 'de';
      const body = eventAsIcs(event, lang, { url: deps.icsUrl(event.id), hostname: deps.hostname });
      await countIcsDownload(deps.db, event.id, req.headers['user-agent'], deps.now?.() ?? new Date());
      res
        .status(200)
        .type('text/calendar; charset=utf-8')
        .setHeader('Content-Disposition', `attachment; filename="${event.id}.ics"`)
        .send(body);
    }),
  );
  return router;
}
