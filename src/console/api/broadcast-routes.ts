/**
 * Broadcasts in the console (marketing capability): what the composer needs (topics, templates, channel
 * limits), the audience count as the marketer types, the per-channel preview, create + send/schedule in one
 * step, the list with each broadcast's progress and funnel, and cancel. It reuses the newsletter feature's
 * broadcast machinery (drafts, fan-out, consent guard) and the dashboard's funnel; only opted-in contacts are
 * ever counted or sent to, because the audience is the topic's active subscribers.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { PREVIEW_CAPABILITIES, PREVIEW_CHANNELS, previewOnChannel } from '../../channels/preview.js';
import { compareTemplates, type TemplateFetcher } from '../../channels/whatsapp-cloud/template-sync.js';
import { templateText } from '../../channels/whatsapp-cloud/templates.js';
import { broadcastFunnel } from '../../features/insights/figures.js';
import {
  broadcastContentSchema,
  renderBroadcastMessage,
  segmentSchema,
} from '../../features/newsletter/broadcast-schema.js';
import {
  broadcastDraftSchema,
  broadcastStatistics,
  broadcastView,
  cancelBroadcast,
  createBroadcast,
  loadBroadcast,
  previewRecipients,
  requireKnownTemplate,
  scheduleBroadcast,
} from '../../features/newsletter/broadcasts.js';
import type { NewsletterFeature } from '../../features/newsletter/index.js';
import type { BroadcastsTable } from '../../features/newsletter/tables.js';
import { ApiError, parseInput, route } from '../../http/api-support.js';
import type { Store } from '../../store/database.js';

export interface BroadcastRouteDeps {
  store: Store;
  newsletter: NewsletterFeature;
  now: () => Date;
  /** Reads Meta's template list; null when WHATSAPP_BUSINESS_ACCOUNT_ID (or the token) is not configured. */
  templateFetcher?: TemplateFetcher | null;
}

const idParam = z.object({ id: z.string().min(1).max(100) });
const locales = z
  .array(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'locales look like de, en or de-AT'))
  .max(10)
  .optional();

export const audienceSchema = z.strictObject({
  topic: z.string().min(1, 'choose a topic'),
  segment: segmentSchema,
  content: broadcastContentSchema.partial({ text: true }).optional(),
});

export const renderSchema = z.strictObject({ content: broadcastContentSchema, locales });

export const composeSchema = broadcastDraftSchema.extend({
  /** `now`, a time (ISO with offset), or left out for a draft. */
  send: z
    .union([
      z.literal('now'),
      z.strictObject({
        at: z.iso.datetime({
          offset: true,
          message: 'at is an ISO date-time with offset, e.g. 2026-12-01T09:00:00+01:00',
        }),
      }),
    ])
    .optional(),
});

/** How each channel formats text, for the composer's hints (see docs/channels). */
const FORMATTING: Record<(typeof PREVIEW_CHANNELS)[number], string> = {
  telegram: 'plain',
  'whatsapp-cloud': 'whatsapp',
  'whatsapp-web': 'whatsapp',
  'messenger-meta': 'plain',
  webchat: 'plain',
};

export function broadcastRoutes(deps: BroadcastRouteDeps): Router {
  const { newsletter, store } = deps;
  const db = newsletter.db;
  const router = express.Router();
  const base = '/marketing/broadcasts';

  const withFigures = async (row: BroadcastsTable) => ({
    ...broadcastView(row),
    statistics: await broadcastStatistics(db, row),
    funnel: await broadcastFunnel(store, { id: row.id, topic: row.topic }),
  });

  router.get(
    `${base}/setup`,
    route(async (_req, res) => {
      const catalog = newsletter.topics();
      const counts = await db
        .selectFrom('newsletter_subscriptions')
        .select(['topic', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'active')
        .groupBy('topic')
        .execute();
      const byTopic = new Map(counts.map((c) => [c.topic, Number(c.n)]));
      const seen = await db
        .selectFrom('newsletter_subscriptions as s')
        .innerJoin('contacts as c', 'c.id', 's.contact_id')
        .select('c.locale')
        .distinct()
        .where('s.status', '=', 'active')
        .execute();
      res.json({
        defaultLocale: catalog.defaultLocale,
        locales: [...new Set([catalog.defaultLocale, ...seen.map((r) => r.locale)])],
        topics: catalog.list().map((t) => ({
          id: t.id,
          name: catalog.name(t.id, catalog.defaultLocale),
          subscribers: byTopic.get(t.id) ?? 0,
        })),
        templates: newsletter.templates().list(),
        channels: PREVIEW_CHANNELS.map((channel) => ({
          channel,
          maxTextLength: PREVIEW_CAPABILITIES[channel].maxTextLength,
          maxButtons: PREVIEW_CAPABILITIES[channel].maxButtons,
          maxButtonLabelLength: PREVIEW_CAPABILITIES[channel].maxButtonLabelLength,
          windowHours: PREVIEW_CAPABILITIES[channel].customerServiceWindowHours ?? null,
          formatting: FORMATTING[channel],
        })),
      });
    }),
  );

  /** The live count while composing: opted-in recipients per channel, and how each would get it right now. */
  router.post(
    `${base}/audience`,
    route(async (req, res) => {
      const body = parseInput(audienceSchema, req.body);
      const catalog = newsletter.topics();
      if (!catalog.has(body.topic)) throw new ApiError(400, `unknown topic "${body.topic}"`);
      const content = body.content ? { text: '', ...body.content } : undefined;
      requireKnownTemplate(newsletter.templates(), content);
      res.json(
        await previewRecipients(db, body.topic, body.segment, {
          now: deps.now(),
          templates: newsletter.templates(),
          defaultLocale: catalog.defaultLocale,
          ...(content ? { content } : {}),
        }),
      );
    }),
  );

  /** Each channel's rendering of the text per locale, through the adapters' own renderers; nothing is sent. */
  router.post(
    `${base}/render`,
    route(async (req, res) => {
      const body = parseInput(renderSchema, req.body);
      const catalog = newsletter.topics();
      const templates = newsletter.templates();
      requireKnownTemplate(templates, body.content);
      const wanted = body.locales ?? [catalog.defaultLocale];
      const previews = Object.fromEntries(
        PREVIEW_CHANNELS.map((channel) => [
          channel,
          Object.fromEntries(
            wanted.map((locale) => {
              const message = renderBroadcastMessage(body.content, locale, catalog.defaultLocale);
              const text = message.text ?? '';
              return [
                locale,
                {
                  ...previewOnChannel(channel, message, locale),
                  length: [...text].length,
                  limit: PREVIEW_CAPABILITIES[channel].maxTextLength,
                },
              ];
            }),
          ),
        ]),
      );
      const name = body.content.whatsappTemplate;
      const template = name
        ? Object.fromEntries(
            wanted.map((locale) => {
              const variant = templates.variantFor(name, locale, catalog.defaultLocale);
              if (!variant) return [locale, null];
              // Shown with each parameter's fallback or fixed text: what a contact without a name reads.
              const sample = templateText(variant, {
                name: variant.name,
                language: variant.language,
                parameters: variant.parameters.map((p) => ('text' in p ? p.text : p.fallback)),
              });
              return [locale, { language: variant.language, text: sample, parameters: variant.parameters }];
            }),
          )
        : null;
      res.json({ previews, template });
    }),
  );

  /** Our template file against Meta's list: approved, pending, unknown, differing bodies, approved but missing. */
  router.get(
    `${base}/templates/check`,
    route(async (_req, res) => {
      const fetcher = deps.templateFetcher;
      if (!fetcher)
        throw new ApiError(
          503,
          'set WHATSAPP_BUSINESS_ACCOUNT_ID (and WHATSAPP_CLOUD_TOKEN) to compare the templates with WhatsApp Manager',
        );
      let meta: Awaited<ReturnType<TemplateFetcher>>;
      try {
        meta = await fetcher();
      } catch (error) {
        throw new ApiError(
          502,
          `Meta's template list could not be read: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      res.json(compareTemplates(newsletter.templates(), meta));
    }),
  );

  router.get(
    base,
    route(async (req, res) => {
      const { limit } = parseInput(
        z.object({ limit: z.coerce.number().int().min(1).max(100).default(30) }),
        req.query,
        'query',
      );
      const total = await db
        .selectFrom('newsletter_broadcasts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const rows = await db
        .selectFrom('newsletter_broadcasts')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      const items = [];
      for (const row of rows) items.push(await withFigures(row));
      res.json({ total: Number(total.n), items });
    }),
  );

  router.get(
    `${base}/:id`,
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      res.json(await withFigures(await loadBroadcast(db, id)));
    }),
  );

  /** Creates the broadcast and, with `send`, sends it now or schedules it, all checked before anything is written. */
  router.post(
    base,
    route(async (req, res) => {
      const body = parseInput(composeSchema, req.body);
      const now = deps.now();
      const at = body.send === undefined ? null : body.send === 'now' ? now : new Date(body.send.at);
      if (at && at.getTime() < now.getTime() - 60_000)
        throw new ApiError(400, 'invalid body', [{ path: 'send.at', message: 'at is in the past' }]);
      const { send: _send, ...draft } = body;
      const created = await createBroadcast(
        db,
        newsletter.topics(),
        draft,
        now,
        'console',
        newsletter.templates(),
      );
      if (at) {
        await scheduleBroadcast(db, created.id, at, now);
        if (at.getTime() <= now.getTime()) newsletter.kickFanOut();
      }
      res.status(201).json(await withFigures(await loadBroadcast(db, created.id)));
    }),
  );

  router.post(
    `${base}/:id/cancel`,
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const { cancelledRows } = await cancelBroadcast(db, id, deps.now());
      res.json({ ...(await withFigures(await loadBroadcast(db, id))), cancelledRows });
    }),
  );

  // The console's own error handler would hide the message; a marketer needs to read what to fix.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof ApiError) {
      res
        .status(error.status)
        .json({ error: error.message, ...(error.details ? { details: error.details } : {}) });
      return;
    }
    next(error);
  });
  return router;
}
