/**
 * The express application: health endpoints, channel webhooks, the REST API under /api/v1, features' public
 * routes and the console. It receives every part ready-made; it decides only where each is mounted.
 */
import express, { type Express, type Router } from 'express';
import type { WebhookRoute } from '../channels/types.js';
import type { Logger } from '../logger.js';
import { accessLog, requestIdOf } from './access-log.js';
import { apiErrorHandler, type OpenApiFragment, requireApiToken } from './api-support.js';
import type { PlauschMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { type SharedRateLimiter, sharedRateLimit } from './shared-rate-limit.js';
import { createWebhookRouter } from './webhooks.js';

export interface HealthCheck {
  name: string;
  /** `ok` = ready; `degraded` = works with limits (shown, not failing); `down` = not ready. */
  check(): Promise<{ status: 'ok' | 'degraded' | 'down'; detail?: string }>;
}

export interface HttpAppParts {
  logger: Logger;
  apiTokens: readonly string[];
  webhookRoutes: readonly WebhookRoute[];
  apiRouters: readonly Router[];
  publicRouters: readonly Router[];
  openApi: readonly OpenApiFragment[];
  readiness: readonly HealthCheck[];
  /** Mounted at /console (its own auth); optional until the console exists. */
  consoleRouter?: Router;
  /** Set while shutting down: /readyz answers 503 so load balancers stop sending work. */
  isShuttingDown: () => boolean;
  version: string;
  /** Prometheus metrics; served at /metrics only when a token is configured. */
  metrics?: { registry: PlauschMetrics; token: string | undefined };
  /**
   * Which proxies' X-Forwarded-For to believe (TRUST_PROXY): false = none, a hop count, or addresses/CIDRs.
   * Believing it without a proxy would let every client pick its own address and escape per-IP limits.
   */
  trustProxy?: false | number | readonly string[];
  /** Per-client limits on the public endpoints, shared through the store (PUBLIC_RATE_LIMIT_PER_MINUTE). */
  rateLimit?: { limiter: SharedRateLimiter; perMinute: number };
}

export function createHttpApp(parts: HttpAppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  const trust = parts.trustProxy ?? false;
  app.set('trust proxy', Array.isArray(trust) ? [...trust] : trust);
  // First: the request id exists before anything else logs or answers.
  app.use(accessLog(parts.logger));

  if (parts.metrics) {
    app.use(parts.metrics.registry.middleware());
    if (parts.metrics.token) app.get('/metrics', parts.metrics.registry.handler(parts.metrics.token));
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: parts.version });
  });

  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      parts.readiness.map(async (check) => {
        try {
          return { name: check.name, ...(await check.check()) };
        } catch (error) {
          return {
            name: check.name,
            status: 'down' as const,
            detail: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
    const shuttingDown = parts.isShuttingDown();
    const ready = !shuttingDown && results.every((r) => r.status !== 'down');
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : shuttingDown ? 'shutting down' : 'not ready', checks: results });
  });

  if (parts.rateLimit && parts.rateLimit.perMinute > 0) {
    const { limiter, perMinute } = parts.rateLimit;
    app.use('/r', sharedRateLimit(limiter, { group: 'referral', perMinute }));
    app.use('/conversions/webhook', sharedRateLimit(limiter, { group: 'conversion', perMinute }));
    app.use(
      '/webchat/messages',
      sharedRateLimit(limiter, { group: 'webchat', perMinute, applies: (req) => req.method === 'POST' }),
    );
    app.use('/api/v1', sharedRateLimit(limiter, { group: 'api', perMinute: perMinute * 10 }));
  }

  // Webhooks first, with their own raw-body parsing (signatures need the exact bytes).
  app.use(createWebhookRouter(parts.webhookRoutes, parts.logger));

  const openApiDocument = buildOpenApiDocument(parts.openApi, parts.version);
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(requireApiToken(parts.apiTokens));
  for (const router of parts.apiRouters) api.use(router);
  api.use((_req, res) => {
    res.status(404).json({ error: 'no such API route', requestId: requestIdOf(res) });
  });
  api.use(apiErrorHandler(parts.logger));
  app.use('/api/v1', api);

  if (parts.consoleRouter) app.use('/console', parts.consoleRouter);
  for (const router of parts.publicRouters) app.use(router);

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  app.use(apiErrorHandler(parts.logger));
  return app;
}
