/**
 * Prometheus metrics at GET /metrics (prom-client), readable only with `Authorization: Bearer METRICS_TOKEN`
 * (without a token configured the endpoint does not exist). Counters are fed by the HTTP middleware and the
 * runtime event bus; queue depths are read from the store when scraped, so every instance reports the
 * shared truth and nothing is kept in memory that could drift.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Kysely } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { inboundRejectedCounts } from '../channels/inbound-guard.js';
import { faqOutcomeCounts } from '../features/faq/outcome-counts.js';
import type { RuntimeEventBus } from '../runtime/events.js';
import type { Store } from '../store/database.js';

export class PlauschMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'plausch_http_requests_total',
    help: 'HTTP requests by route (the pattern, not the URL), method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly webhooks = new Counter({
    name: 'plausch_webhooks_total',
    help: 'Webhook calls by channel and result (accepted = 2xx, refused = 4xx, failed = 5xx: redelivered)',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });
  readonly sends = new Counter({
    name: 'plausch_outbox_sends_total',
    help: 'Outbox status changes by channel and result (sent, queued = retry, held, failed, cancelled)',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'plausch_outbox_rate_limited_total',
    help: 'Sends a platform refused with 429 (rate limited), by channel',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  constructor(store: Store, events: RuntimeEventBus) {
    collectDefaultMetrics({ register: this.registry, prefix: 'plausch_' });
    const db = store.db.withTables<StoreViews>() as unknown as Kysely<StoreViews>;
    new Gauge({
      name: 'plausch_outbox_depth',
      help: 'Outbox rows waiting to be sent (queued or sending), by channel',
      labelNames: ['channel'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await outboxBacklog(db)) this.set({ channel: row.channel }, Number(row.depth));
      },
    });
    new Gauge({
      name: 'plausch_outbox_oldest_age_seconds',
      help: 'Age of the oldest outbox row waiting to be sent, by channel',
      labelNames: ['channel'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const now = Date.now();
        for (const row of await outboxBacklog(db)) {
          this.set({ channel: row.channel }, Math.max(0, (now - Number(row.oldest)) / 1000));
        }
      },
    });
    new Gauge({
      name: 'plausch_inbound_events',
      help: 'Inbound events by channel and status (pending, processed, failed = a flow or action error)',
      labelNames: ['channel', 'status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await db
          .selectFrom('inbound_events')
          .select(['channel', 'status', db.fn.countAll<number>().as('n')])
          .groupBy(['channel', 'status'])
          .execute();
        for (const row of rows) this.set({ channel: row.channel, status: row.status }, Number(row.n));
      },
    });
    new Gauge({
      name: 'plausch_inbound_rejected_total',
      help: 'Inbound events that could never be recorded (dead letters) since start, by channel',
      labelNames: ['channel'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [channel, n] of inboundRejectedCounts()) this.set({ channel }, n);
      },
    });
    new Counter({
      name: 'plausch_faq_outcomes_total',
      help: 'FAQ outcomes since start by action, outcome and channel: faq.answer answered / clarified (asked back) / declined, faq.show answered, faq.feedback helpful / not helpful',
      labelNames: ['action', 'outcome', 'channel'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of faqOutcomeCounts()) {
          this.inc({ action: c.action, outcome: c.outcome, channel: c.channel }, c.count);
        }
      },
    });
    new Gauge({
      name: 'plausch_handoff_queue_length',
      help: 'Conversations waiting for a person (handed over, nobody assigned yet)',
      registers: [this.registry],
      async collect() {
        const waiting = await handoffQueue(db);
        this.set(waiting.length);
      },
    });
    new Gauge({
      name: 'plausch_handoff_longest_wait_seconds',
      help: 'How long the longest-waiting customer in the handoff queue has waited',
      registers: [this.registry],
      async collect() {
        const waiting = await handoffQueue(db);
        const oldest = Math.min(...waiting.map((w) => Number(w.queued_at)));
        this.set(waiting.length === 0 ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      },
    });
    events.subscribe((event) => {
      if (event.type !== 'outbox-changed') return;
      this.sends.inc({ channel: event.channel, result: event.status });
      if (event.status === 'queued' && /rate.?limit|429|too many/i.test(event.detail ?? '')) {
        this.rateLimited.inc({ channel: event.channel });
      }
    });
  }

  /** Counts every request by its route pattern once the response is finished. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      res.on('finish', () => {
        const route = routeOf(req, res);
        const status = String(res.statusCode);
        this.httpRequests.inc({ route, method: req.method, status });
        const webhook =
          /^\/webhooks\/([a-z-]+)/.exec(req.path)?.[1] ??
          (req.path === '/api/messages' ? 'botframework' : null);
        if (webhook) {
          const result = res.statusCode < 300 ? 'accepted' : res.statusCode < 500 ? 'refused' : 'failed';
          this.webhooks.inc({ channel: webhook, result });
        }
      });
      next();
    };
  }

  /** GET /metrics behind the token. */
  handler(token: string): RequestHandler {
    const expected = createHash('sha256').update(`Bearer ${token}`).digest();
    return async (req, res) => {
      const given = createHash('sha256')
        .update(req.headers.authorization ?? '')
        .digest();
      if (!timingSafeEqual(given, expected)) {
        res.status(401).type('text/plain').send('metrics need Authorization: Bearer <METRICS_TOKEN>\n');
        return;
      }
      try {
        const body = await this.registry.metrics();
        res.type(this.registry.contentType).send(body);
      } catch (error) {
        res
          .status(503)
          .type('text/plain')
          .send(`metrics unavailable: ${(error as Error).message}\n`);
      }
    };
  }
}

/** The matched route pattern (`/r/:code`), never the raw URL: label values must stay few. */
export function routeOf(req: Request, res: Response): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  if (req.path.startsWith('/webhooks/')) return req.path.split('/').slice(0, 3).join('/');
  if (req.path.startsWith('/console')) return '/console/*';
  return res.statusCode === 404 ? 'unmatched' : 'other';
}

type StoreViews = {
  outbox: { channel: string; status: string; created_at: number };
  inbound_events: { channel: string; status: string };
  handoff_sessions: { state: string; agent_id: string | null; queued_at: number };
};

async function outboxBacklog(db: Kysely<StoreViews>) {
  return db
    .selectFrom('outbox')
    .select(['channel', db.fn.countAll<number>().as('depth'), db.fn.min<number>('created_at').as('oldest')])
    .where('status', 'in', ['queued', 'sending'])
    .groupBy('channel')
    .execute();
}

async function handoffQueue(db: Kysely<StoreViews>) {
  return db
    .selectFrom('handoff_sessions')
    .select('queued_at')
    .where('state', '=', 'open')
    .where('agent_id', 'is', null)
    .execute();
}
