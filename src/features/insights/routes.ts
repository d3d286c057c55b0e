/**
 * The dashboard's figures over HTTP: `GET <base>/insights/<figure>` with a date range, a channel filter and
 * `format=json|csv`. The same router serves the REST API (/api/v1, bearer token) and the console
 * (/console/api, session with the marketing capability); the CSV holds exactly the rows of the JSON.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ApiError, parseInput, route } from '../../http/api-support.js';
import { CSV_BOM, csvRow } from '../../http/csv.js';
import { CHANNEL_NAMES } from '../../model/index.js';
import type { Store } from '../../store/database.js';
import { computeFigure, FIGURE_NAMES, type FigureTable } from './figures.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A year and a bit: enough for "this year vs last", bounded so one request cannot scan everything forever. */
const MAX_RANGE_DAYS = 400;

/** `2026-11-01` (start of that UTC day) or a full ISO timestamp with offset. */
const instant = z.union([
  z.iso.date().transform((d) => new Date(`${d}T00:00:00Z`)),
  z.iso.datetime({ offset: true }).transform((d) => new Date(d)),
]);

export const figureQuerySchema = z.strictObject({
  from: instant.optional(),
  /** Exclusive; a bare date means the end of that day. */
  to: z
    .union([
      z.iso.date().transform((d) => new Date(new Date(`${d}T00:00:00Z`).getTime() + DAY_MS)),
      z.iso.datetime({ offset: true }).transform((d) => new Date(d)),
    ])
    .optional(),
  /** One channel, or several separated by commas. */
  channel: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(CHANNEL_NAMES, { message: `channel is one of ${CHANNEL_NAMES.join(', ')}` })))
    .optional(),
  campaign: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(20),
  format: z.enum(['json', 'csv'], { message: 'format is json or csv' }).default('json'),
});

const figureParam = z.object({
  figure: z.enum(FIGURE_NAMES, { message: `figure is one of ${FIGURE_NAMES.join(', ')}` }),
});

export function figureAsCsv(figure: FigureTable): string {
  return `${CSV_BOM}${csvRow(figure.columns)}${figure.rows
    .map((row) => csvRow(figure.columns.map((c) => row[c] ?? null)))
    .join('')}`;
}

export interface InsightsRouterDeps {
  store: Store;
  now: () => Date;
}

export function createInsightsRouter(deps: InsightsRouterDeps): Router {
  const router = express.Router();
  router.get(
    '/insights',
    route((_req, res) => {
      res.json({ figures: FIGURE_NAMES });
    }),
  );
  router.get(
    '/insights/:figure',
    route(async (req, res) => {
      const { figure } = parseInput(figureParam, req.params, 'path');
      const query = parseInput(figureQuerySchema, req.query, 'query');
      const to = query.to ?? new Date(Math.floor(deps.now().getTime() / DAY_MS) * DAY_MS + DAY_MS);
      const from = query.from ?? new Date(to.getTime() - 30 * DAY_MS);
      if (from.getTime() >= to.getTime()) throw new ApiError(400, 'from must be before to');
      if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
        throw new ApiError(400, `the range may span at most ${MAX_RANGE_DAYS} days`);
      }
      const result = await computeFigure(deps.store, figure, {
        from,
        to,
        channels: query.channel ?? [],
        ...(query.campaign ? { campaign: query.campaign } : {}),
        limit: query.limit,
      });
      if (query.format === 'csv') {
        res
          .status(200)
          .type('text/csv; charset=utf-8')
          .setHeader(
            'Content-Disposition',
            `attachment; filename="${figure}-${from.toISOString().slice(0, 10)}-${new Date(to.getTime() - 1)
              .toISOString()
              .slice(0, 10)}.csv"`,
          )
          .send(figureAsCsv(result));
        return;
      }
      res.json(result);
    }),
  );
  // The console mounts this router too; its own error handler would hide the message, so answer here.
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
