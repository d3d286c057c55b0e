/**
 * GET /api/v1/dead-letters: inbound events that were rejected because they can never be recorded, newest
 * first, so an operator sees what a platform sent that Plausch did not understand. Behind the API token like
 * every /api/v1 route; the payload is shown as stored (truncated, NUL escaped).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Store } from '../store/database.js';
import { countDeadLetters, listDeadLetters } from '../store/repositories/dead-letters.js';
import { parseInput, route } from './api-support.js';

const query = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  channel: z.string().min(1).max(64).optional(),
  /** ISO time: only letters received before it (paging). */
  before: z.iso.datetime({ offset: true }).optional(),
});

export function deadLetterRouter(store: Store): Router {
  const router = Router();
  router.get(
    '/dead-letters',
    route(async (req, res) => {
      const q = parseInput(query, req.query, 'query');
      const items = await listDeadLetters(store.db, {
        limit: q.limit,
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.before ? { before: new Date(q.before) } : {}),
      });
      res.json({
        total: await countDeadLetters(store.db),
        items: items.map((item) => ({ ...item, receivedAt: item.receivedAt.toISOString() })),
      });
    }),
  );
  return router;
}
