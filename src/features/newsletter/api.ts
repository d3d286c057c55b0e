/**
 * REST routes of the newsletter feature under /api/v1: topics and their subscribers, per-contact consent
 * export (JSON and CSV) and broadcasts (drafts, preview, schedule, send, cancel, statistics).
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { TemplateRegistry } from '../../channels/whatsapp-cloud/templates.js';
import { ApiError, paginationSchema, parseInput, route } from '../../http/api-support.js';
import { fromJson } from '../../store/json.js';
import type { BroadcastContent, Segment } from './broadcast-schema.js';
import { broadcastContentSchema, segmentSchema } from './broadcast-schema.js';
import {
  broadcastDraftSchema,
  broadcastPatchSchema,
  broadcastStatistics,
  broadcastView,
  cancelBroadcast,
  createBroadcast,
  deleteDraft,
  listBroadcasts,
  loadBroadcast,
  previewRecipients,
  scheduleBroadcast,
  updateDraft,
} from './broadcasts.js';
import { consentHistory, type LedgerEntryView, withdrawConsent } from './consent-ledger.js';
import type { NewsletterDb } from './tables.js';
import type { TopicCatalog } from './topics.js';

export interface NewsletterApiDeps {
  db: NewsletterDb;
  catalog: () => TopicCatalog;
  templates: () => TemplateRegistry;
  now: () => Date;
  /** Starts the fan-out right away instead of at the scheduler's next tick. */
  kickFanOut: () => void;
}

const idParam = z.object({ id: z.string().min(1).max(100) });

export const scheduleBodySchema = z.strictObject({
  at: z.iso.datetime({
    offset: true,
    message: 'at is an ISO date-time with offset, e.g. 2026-12-01T09:00:00+01:00',
  }),
});

export const consentWithdrawalSchema = z.strictObject({
  action: z.literal('unsubscribed', {
    message: 'only "unsubscribed" can be recorded here; consent is given in the chat',
  }),
  topic: z.string().min(1).optional(),
});

const subscribersQuery = paginationSchema.extend({
  status: z.enum(['active', 'pending', 'declined', 'unsubscribed']).default('active'),
});

/** CSV cell: quoted, quotes doubled, and formula-looking cells defused for spreadsheet users. */
function csvCell(value: string | null): string {
  const text = value ?? '';
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function consentsAsCsv(entries: readonly LedgerEntryView[]): string {
  const header = ['at', 'contact_id', 'channel', 'topic', 'action', 'source', 'text'];
  const lines = entries.map((e) =>
    [e.at, e.contactId, e.channel, e.topic, e.action, e.source, e.text].map(csvCell).join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

export function createNewsletterApiRouter(deps: NewsletterApiDeps): Router {
  const { db } = deps;
  const router = express.Router();
  router.use(express.json({ limit: '256kb' }));

  router.get(
    '/topics',
    route(async (_req, res) => {
      const catalog = deps.catalog();
      const counts = await db
        .selectFrom('newsletter_subscriptions')
        .select(['topic', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'active')
        .groupBy('topic')
        .execute();
      const byTopic = new Map(counts.map((c) => [c.topic, Number(c.n)]));
      res.json({
        topics: catalog.list().map((t) => ({
          id: t.id,
          name: t.name,
          description: t.description,
          subscribers: byTopic.get(t.id) ?? 0,
        })),
      });
    }),
  );

  router.post(
    '/topics',
    route(() => {
      throw new ApiError(405, `topics are defined in ${deps.catalog().path}; edit that file and reload`);
    }),
  );

  router.get(
    '/topics/:id/subscribers',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const query = parseInput(subscribersQuery, req.query, 'query');
      if (!deps.catalog().has(id)) throw new ApiError(404, `topic ${id} not found`);
      const base = db
        .selectFrom('newsletter_subscriptions')
        .where('topic', '=', id)
        .where('status', '=', query.status);
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy('updated_at', 'desc')
        .orderBy('contact_id')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      res.json({
        topic: id,
        status: query.status,
        count: Number(total.n),
        items: rows.map((r) => ({
          contactId: r.contact_id,
          channel: r.channel,
          status: r.status,
          requestedAt: r.requested_at === null ? null : new Date(r.requested_at).toISOString(),
          confirmedAt: r.confirmed_at === null ? null : new Date(r.confirmed_at).toISOString(),
          endedAt: r.ended_at === null ? null : new Date(r.ended_at).toISOString(),
        })),
      });
    }),
  );

  const requireContact = async (id: string) => {
    const contact = await db
      .selectFrom('contacts')
      .select(['id', 'channel'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!contact) throw new ApiError(404, `contact ${id} not found`);
    return contact;
  };

  router.get(
    '/contacts/:id/consents',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const { format } = parseInput(
        z.object({ format: z.enum(['json', 'csv']).default('json') }),
        req.query,
        'query',
      );
      await requireContact(id);
      const entries = await consentHistory(db, id);
      if (format === 'csv') {
        res
          .status(200)
          .type('text/csv; charset=utf-8')
          .setHeader('Content-Disposition', `attachment; filename="consents-${id}.csv"`)
          .send(consentsAsCsv(entries));
        return;
      }
      const subscriptions = await db
        .selectFrom('newsletter_subscriptions')
        .selectAll()
        .where('contact_id', '=', id)
        .orderBy('topic')
        .execute();
      res.json({
        contactId: id,
        subscriptions: subscriptions.map((s) => ({ topic: s.topic, status: s.status, channel: s.channel })),
        entries,
      });
    }),
  );

  /** Records a withdrawal the person made elsewhere (e-mail, phone); consent itself is only given in the chat. */
  router.post(
    '/contacts/:id/consents',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const body = parseInput(consentWithdrawalSchema, req.body);
      if (body.topic !== undefined && !deps.catalog().has(body.topic)) {
        throw new ApiError(400, `unknown topic "${body.topic}"`);
      }
      const contact = await requireContact(id);
      const result = await withdrawConsent(
        db,
        { contactId: id, channel: contact.channel, source: 'api', now: deps.now() },
        body.topic ?? null,
      );
      res.status(200).json(result);
    }),
  );

  router.get(
    '/broadcasts',
    route(async (req, res) => {
      const query = parseInput(
        paginationSchema.extend({
          status: z.enum(['draft', 'scheduled', 'running', 'sent', 'cancelled']).optional(),
        }),
        req.query,
        'query',
      );
      res.json(await listBroadcasts(db, query));
    }),
  );

  router.post(
    '/broadcasts',
    route(async (req, res) => {
      const body = parseInput(broadcastDraftSchema, req.body);
      res
        .status(201)
        .json(await createBroadcast(db, deps.catalog(), body, deps.now(), 'api', deps.templates()));
    }),
  );

  router.get(
    '/broadcasts/:id',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const row = await loadBroadcast(db, id);
      res.json({ ...broadcastView(row), statistics: await broadcastStatistics(db, row) });
    }),
  );

  router.patch(
    '/broadcasts/:id',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const body = parseInput(broadcastPatchSchema, req.body);
      res.json(await updateDraft(db, deps.catalog(), id, body, deps.now(), deps.templates()));
    }),
  );

  router.delete(
    '/broadcasts/:id',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      await deleteDraft(db, id);
      res.status(204).end();
    }),
  );

  router.post(
    '/broadcasts/:id/preview',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const row = await loadBroadcast(db, id);
      res.json(
        await previewRecipients(db, row.topic, fromJson<Segment>(row.segment, {}), {
          now: deps.now(),
          content: fromJson<BroadcastContent>(row.content, { text: '' }),
          templates: deps.templates(),
          defaultLocale: deps.catalog().defaultLocale,
        }),
      );
    }),
  );

  router.post(
    '/broadcasts/:id/schedule',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const body = parseInput(scheduleBodySchema, req.body);
      res.json(await scheduleBroadcast(db, id, new Date(body.at), deps.now()));
    }),
  );

  router.post(
    '/broadcasts/:id/send',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const now = deps.now();
      const view = await scheduleBroadcast(db, id, now, now);
      deps.kickFanOut();
      res.status(202).json(view);
    }),
  );

  router.post(
    '/broadcasts/:id/cancel',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      res.json(await cancelBroadcast(db, id, deps.now()));
    }),
  );

  return router;
}

/** Re-exported for the OpenAPI fragment. */
export const newsletterSchemas = {
  BroadcastDraft: broadcastDraftSchema,
  BroadcastPatch: broadcastPatchSchema,
  BroadcastContent: broadcastContentSchema,
  Segment: segmentSchema,
  Schedule: scheduleBodySchema,
  ConsentWithdrawal: consentWithdrawalSchema,
};
export type { BroadcastContent };
