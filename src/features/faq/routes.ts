/** REST: `GET /api/v1/faq/unanswered` — the questions the bot could not answer, most frequent first. */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { OpenApiFragment } from '../../http/api-support.js';
import { parseInput, route } from '../../http/api-support.js';
import type { StoreUnansweredQuestionLog } from './unanswered-store.js';

const unansweredQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  since: z.iso.datetime({ offset: true }).optional(),
});

export function createFaqRouter(log: StoreUnansweredQuestionLog): Router {
  const router = express.Router();
  router.get(
    '/faq/unanswered',
    route(async (req, res) => {
      const query = parseInput(unansweredQuery, req.query, 'query');
      const items = await log.summarize({
        limit: query.limit,
        ...(query.since ? { since: new Date(query.since) } : {}),
      });
      res.json({ items });
    }),
  );
  return router;
}

export const faqOpenApi: OpenApiFragment = {
  paths: {
    '/faq/unanswered': {
      get: {
        summary: 'Questions the knowledge base could not answer, most frequent first',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'since', in: 'query', schema: { type: 'string', format: 'date-time' } },
        ],
        responses: {
          '200': { description: '`{ items: [{ text, locale, asks, contacts, bestScore, lastAskedAt }] }`' },
          '400': { description: 'invalid query' },
          '401': { description: 'missing or invalid bearer token' },
        },
      },
    },
  },
};
