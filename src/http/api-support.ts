/**
 * What every REST route under /api/v1 shares: bearer-token auth, zod input validation with clear 4xx
 * answers, and one error shape `{ error, details? }`. Feature routers use these and nothing else of express.
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type ZodType, z } from 'zod';
import type { Logger } from '../logger.js';
import { requestIdOf } from './access-log.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Parses input with a zod schema or throws a 400 listing every problem by field. */
export function parseInput<T>(schema: ZodType<T>, input: unknown, what = 'body'): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ApiError(
    400,
    `invalid ${what}`,
    parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

/** Wraps an async route so its rejections reach the error middleware. */
export function route(handler: (req: Request, res: Response) => Promise<void> | void): RequestHandler {
  return (req, res, next) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(next);
  };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Accepts `Authorization: Bearer <token>` for any configured token; 401 otherwise. */
export function requireApiToken(tokens: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const presented = match?.[1]?.trim() ?? '';
    if (presented && tokens.some((token) => safeEqual(token, presented))) {
      next();
      return;
    }
    next(new ApiError(401, 'missing or invalid bearer token'));
  };
}

/**
 * The last middleware of the API: typed errors become their status, anything else a logged 500. Every error
 * body names the request id (also in the X-Request-Id header), so a reported failure can be found in the log.
 */
export function apiErrorHandler(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const requestId = requestIdOf(res);
    const traced = requestId ? { requestId } : {};
    if (error instanceof ApiError) {
      res
        .status(error.status)
        .json({ error: error.message, ...(error.details ? { details: error.details } : {}), ...traced });
      return;
    }
    if (error instanceof SyntaxError && 'body' in error) {
      res.status(400).json({ error: 'request body is not valid JSON', ...traced });
      return;
    }
    if (typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.too.large') {
      res.status(413).json({ error: 'request body too large', ...traced });
      return;
    }
    logger.error({ err: error }, 'API request failed');
    res.status(500).json({ error: 'internal error', ...traced });
  };
}

/** Common query parameters for lists. */
export const paginationSchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** An OpenAPI fragment a feature contributes; merged into /api/v1/openapi.json by the HTTP layer. */
export interface OpenApiFragment {
  paths: Record<string, unknown>;
  schemas?: Record<string, unknown>;
}
