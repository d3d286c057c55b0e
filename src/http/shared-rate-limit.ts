/**
 * Per-client limits on the public endpoints (referral redirects, the conversion webhook, web chat messages,
 * the REST API), counted in the store so that every instance behind a load balancer enforces the same
 * budget: fixed one-minute windows, one upserted row per client, endpoint group and window. The client is
 * req.ip (X-Forwarded-For only behind TRUST_PROXY), stored only as an HMAC under a deployment secret (an
 * IPv4 address's plain hash is trivially reversed), in rows deleted once their window is two minutes old.
 * When the store cannot count (database away), requests pass: the limit protects the service, it must not
 * take it down.
 */
import { createHmac } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type Kysely, sql } from 'kysely';
import type { Logger } from '../logger.js';
import type { Store } from '../store/database.js';
import { requestIdOf } from './access-log.js';

export const RATE_LIMIT_WINDOW_MS = 60_000;

type Tables = { rate_limit_hits: { key: string; window_start: number; hits: number } };

export class SharedRateLimiter {
  readonly #db: Kysely<Tables>;
  /** Derived from the secret, so the same secret used elsewhere (the erasure pseudonyms) stays unrelated. */
  readonly #key: Buffer;
  #prunedBefore = 0;

  /** `secret` must be the same on every instance (they share the counts): e.g. ERASURE_HASH_KEY. */
  constructor(
    store: Store,
    private readonly logger: Logger,
    secret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = createHmac('sha256', secret).update('plausch:rate-limit').digest();
    this.#db = store.db.withTables<Tables>() as unknown as Kysely<Tables>;
  }

  /** Counts one hit; returns 0 when within `limit`, else the milliseconds until the window ends. */
  async hit(group: string, client: string, limit: number): Promise<number> {
    const now = this.now();
    const windowStart = now - (now % RATE_LIMIT_WINDOW_MS);
    const key = createHmac('sha256', this.#key)
      .update(`${group}\u0000${client}`)
      .digest('base64url')
      .slice(0, 22);
    try {
      const row = await this.#db
        .insertInto('rate_limit_hits')
        .values({ key: `${group}:${key}`, window_start: windowStart, hits: 1 })
        .onConflict((oc) =>
          oc.columns(['key', 'window_start']).doUpdateSet({ hits: sql<number>`rate_limit_hits.hits + 1` }),
        )
        .returning('hits')
        .executeTakeFirst();
      this.#maybePrune(windowStart);
      return Number(row?.hits ?? 0) > limit ? windowStart + RATE_LIMIT_WINDOW_MS - now : 0;
    } catch (error) {
      this.logger.warn({ err: error, group }, 'rate limit not counted (store unavailable); request allowed');
      return 0;
    }
  }

  /** Once per window: rows of windows before the previous one go. */
  #maybePrune(windowStart: number): void {
    const before = windowStart - RATE_LIMIT_WINDOW_MS;
    if (before <= this.#prunedBefore) return;
    this.#prunedBefore = before;
    void this.#db
      .deleteFrom('rate_limit_hits')
      .where('window_start', '<', before)
      .execute()
      .catch(() => {});
  }
}

export interface RateLimitRule {
  /** Names the budget (one per endpoint group). */
  group: string;
  /** Requests per client and minute. */
  perMinute: number;
  /** Which requests count (e.g. only POST). */
  applies?: (req: Request) => boolean;
}

/** 429 with Retry-After once a client spent the rule's budget for this minute. */
export function sharedRateLimit(limiter: SharedRateLimiter, rule: RateLimitRule): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (rule.perMinute <= 0 || (rule.applies && !rule.applies(req))) {
      next();
      return;
    }
    limiter
      .hit(rule.group, req.ip ?? req.socket.remoteAddress ?? 'unknown', rule.perMinute)
      .then((waitMs) => {
        if (waitMs <= 0) {
          next();
          return;
        }
        res
          .status(429)
          .set('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))))
          .json({ error: 'too many requests; try again later', requestId: requestIdOf(res) });
      }, next);
  };
}
