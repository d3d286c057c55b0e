/**
 * Contacts and privacy over HTTP: search, profile, export (access request) and erase (erasure request). The
 * same router serves /api/v1 (bearer token) and the console's /console/api/marketing (marketing capability).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ApiError, parseInput, route } from '../../http/api-support.js';
import type { Store } from '../../store/database.js';
import { type ErasureSource, eraseContact, UnknownContactError } from './erase.js';
import { exportContact } from './export.js';

export interface PrivacyRouterDeps {
  store: Store;
  now: () => Date;
  erasureKey: string;
  source: ErasureSource;
}

const idParam = z.object({ id: z.string().min(1).max(100) });
export const contactSearchSchema = z.strictObject({
  q: z.string().trim().max(100).default(''),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const eraseBodySchema = z.strictObject({
  /** Must be the contact's id again: an erasure cannot be undone, so it is never a one-click accident. */
  confirm: z.string().min(1, 'repeat the contact id in confirm'),
});

const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

export function createPrivacyRouter(deps: PrivacyRouterDeps): Router {
  // biome-ignore lint/suspicious/noExplicitAny: the profile reads several features' tables
  const db = deps.store.db as unknown as Kysely<any>;
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));

  router.get(
    '/contacts',
    route(async (req, res) => {
      const query = parseInput(contactSearchSchema, req.query, 'query');
      let q = db
        .selectFrom('contacts')
        .select([
          'id',
          'channel',
          'display_name',
          'first_name',
          'last_name',
          'username',
          'locale',
          'created_at',
          'last_inbound_at',
        ])
        .where('erased_at', 'is', null);
      if (query.q) {
        const like = `%${query.q.toLowerCase().replace(/[%_]/g, '')}%`;
        q = q.where((eb) =>
          eb.or([
            eb('id', '=', query.q),
            eb(eb.fn('lower', ['display_name']), 'like', like),
            eb(eb.fn('lower', ['first_name']), 'like', like),
            eb(eb.fn('lower', ['last_name']), 'like', like),
            eb(eb.fn('lower', ['username']), 'like', like),
            eb('phone', 'like', like),
            eb('channel_contact_id', 'like', like),
          ]),
        );
      }
      const rows = await q.orderBy('last_inbound_at', 'desc').orderBy('id').limit(query.limit).execute();
      res.json({
        items: rows.map((r) => ({
          id: r.id,
          channel: r.channel,
          name:
            r.display_name ?? ([r.first_name, r.last_name].filter(Boolean).join(' ') || r.username || null),
          locale: r.locale,
          createdAt: iso(r.created_at),
          lastInboundAt: iso(r.last_inbound_at),
        })),
      });
    }),
  );

  router.get(
    '/contacts/:id',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const contact = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
      if (!contact) throw new ApiError(404, `contact ${id} not found`);
      const [ledger, topics, conversation, codes, joined] = await Promise.all([
        db
          .selectFrom('newsletter_consent_ledger')
          .select(['topic', 'action', 'source', 'text', 'created_at'])
          .where('contact_id', '=', id)
          .orderBy('created_at')
          .execute(),
        db
          .selectFrom('newsletter_subscriptions')
          .select(['topic', 'status'])
          .where('contact_id', '=', id)
          .execute(),
        db
          .selectFrom('conversations')
          .select(['id', 'status', 'updated_at'])
          .where('contact_id', '=', id)
          .executeTakeFirst(),
        db
          .selectFrom('referral_codes')
          .select(['id', 'code', 'campaign_id', 'joined_count'])
          .where('contact_id', '=', id)
          .execute(),
        db
          .selectFrom('referral_clicks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('referrer_contact_id', '=', id)
          .where('is_bot', '=', 0)
          .executeTakeFirst(),
      ]);
      const messages = conversation
        ? await db
            .selectFrom('messages')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('conversation_id', '=', conversation.id)
            .executeTakeFirst()
        : undefined;
      res.json({
        id: contact.id,
        channels: [{ channel: contact.channel, id: contact.channel_contact_id }],
        name: {
          display: contact.display_name,
          first: contact.first_name,
          last: contact.last_name,
          username: contact.username,
        },
        phone: contact.phone,
        locale: contact.locale,
        createdAt: iso(contact.created_at),
        lastInboundAt: iso(contact.last_inbound_at),
        erasedAt: iso(contact.erased_at),
        topics: topics.map((t) => ({ topic: t.topic, status: t.status })),
        consentHistory: ledger.map((l) => ({
          topic: l.topic,
          action: l.action,
          source: l.source,
          text: l.text,
          at: iso(l.created_at),
        })),
        referrals: {
          codes: codes.map((c) => ({
            code: c.code,
            campaign: c.campaign_id,
            friendsJoined: Number(c.joined_count),
          })),
          clicks: Number(joined?.n ?? 0),
        },
        conversation: conversation
          ? {
              id: conversation.id,
              status: conversation.status,
              messages: Number(messages?.n ?? 0),
              updatedAt: iso(conversation.updated_at),
            }
          : null,
      });
    }),
  );

  router.get(
    '/contacts/:id/export',
    route(async (req, res) => {
      const { id } = parseInput(idParam, req.params, 'path');
      const document = await exportContact(deps.store, id, deps.now());
      res
        .status(200)
        .setHeader('Content-Disposition', `attachment; filename="contact-${id}.json"`)
        .json(document);
    }),
  );

  const erase = route(async (req, res) => {
    const { id } = parseInput(idParam, req.params, 'path');
    const body = parseInput(eraseBodySchema, req.body ?? {});
    if (body.confirm !== id) throw new ApiError(400, 'confirm must repeat the contact id');
    const result = await eraseContact(deps.store, id, {
      key: deps.erasureKey,
      source: deps.source,
      now: deps.now(),
    });
    res.status(200).json(result);
  });
  router.delete('/contacts/:id', erase);
  router.post('/contacts/:id/erase', erase);

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof UnknownContactError) {
      res.status(404).json({ error: error.message });
      return;
    }
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
