/**
 * The support console at /console: the single-page shell (plain ES modules from ./static), its screens
 * (Preact bundles built on demand from ./web/screens, see screen-bundles.ts)
 * and its JSON API under /console/api, all behind session auth with CSRF protection and role checks.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { ChannelAdapter } from '../channels/types.js';
import { type HandoffSettings, slaTargetMs } from '../features/handoff/settings.js';
import type { Logger } from '../logger.js';
import type { ChannelName } from '../model/index.js';
import type { RuntimeEventBus } from '../runtime/events.js';
import type { Store } from '../store/database.js';
import type { AgentTemplateSource } from './api/agent-templates.js';
import { authRoutes } from './api/auth-routes.js';
import { availabilityRoutes } from './api/availability-routes.js';
import { channelRoutes } from './api/channel-routes.js';
import { conversationRoutes } from './api/conversation-routes.js';
import { mediaRoutes, publicMediaRoute } from './api/media-routes.js';
import { staffRoutes } from './api/staff-routes.js';
import { Assigner } from './assignment.js';
import { requireCapability } from './auth/capabilities.js';
import { DEFAULT_LOGIN_LIMITS, type LoginThrottleLimits } from './auth/login-throttle.js';
import { requireSession } from './auth/middleware.js';
import { streamEvents } from './live/sse.js';
import type { ScreenBundler } from './screen-bundles.js';

export interface ConsoleRouterDeps {
  store: Store;
  events: RuntimeEventBus;
  adapters: ReadonlyMap<ChannelName, ChannelAdapter>;
  startFlow: (conversationId: string, flowId: string, stepId?: string) => Promise<void>;
  /** Flows and their steps, for "return to the bot at …" and validation. */
  flows: () => Array<{ id: string; title?: string; steps: string[] }>;
  teams: () => Array<{ id: string; name: Record<string, string> }>;
  /** The handoff feature's settings (customer notices, service levels); null when it is not loaded. */
  handoffSettings?: () => HandoffSettings | null;
  logger: Logger;
  publicUrl: string;
  now?: () => Date;
  loginLimits?: LoginThrottleLimits;
  /** MEDIA_MAX_BYTES: largest upload and largest customer file fetched from a channel. */
  mediaMaxBytes?: number;
  /** Bundles the Preact screens; the caller owns it (and closes it at shutdown). */
  screens: ScreenBundler;
  /**
   * Extra console API routers (marketing, workbench…), mounted after sign-in and CSRF checks; each checks its
   * own capability with requireCapability.
   */
  extraApiRouters?: Router[];
  /** Approved WhatsApp templates agents may send where the 24-hour window is closed. */
  whatsappTemplates?: AgentTemplateSource;
}

/** The front end's folder: next to this module in the sources; copied beside the build by `npm run build`. */
export function consoleStaticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'static'), join(here, '..', '..', 'src', 'console', 'static')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

/** Without handoff settings: ten minutes for everything. */
const DEFAULT_SLA_MS = 10 * 60_000;

export function createConsoleRouter(deps: ConsoleRouterDeps): Router {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger.child({ part: 'console' });
  const router = Router();
  const publicDir = consoleStaticDir();

  router.use((_req, res, next) => {
    // The console is never framed (clickjacking) and loads only its own scripts.
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    next();
  });

  // New waiting chats go to the next available agent when the handoff settings say round_robin.
  const assigner = new Assigner({
    store: deps.store,
    events: deps.events,
    settings: deps.handoffSettings ?? (() => null),
    logger,
    now,
  });
  assigner.start();
  const reassignWaiting = () => void assigner.assign();

  const api = Router();
  api.use(express.json({ limit: '100kb' }));
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(
    authRoutes({
      store: deps.store,
      logger,
      now,
      publicUrl: deps.publicUrl,
      loginLimits: deps.loginLimits ?? DEFAULT_LOGIN_LIMITS,
      onSignedIn: reassignWaiting,
    }),
  );
  api.use(requireSession(deps.store, now, deps.publicUrl));
  api.get('/events', (req, res) => streamEvents(deps.events, req, res));
  const slaTarget = (reason: string) => {
    const settings = deps.handoffSettings?.() ?? null;
    return settings ? slaTargetMs(settings, reason) : DEFAULT_SLA_MS;
  };
  api.use(staffRoutes({ store: deps.store, now, teams: deps.teams, flows: deps.flows, slaTarget }));
  api.use(channelRoutes(deps.adapters));
  api.use(availabilityRoutes({ store: deps.store, assigner, now }));
  for (const extra of deps.extraApiRouters ?? []) api.use(extra);
  // The inbox is for agents, supervisors and admins; a marketer reads results and edits flows only.
  api.use(['/conversations', '/outbox', '/media'], requireCapability('inbox'));
  api.use(
    mediaRoutes({
      store: deps.store,
      adapters: deps.adapters,
      maxBytes: deps.mediaMaxBytes ?? 10 * 1024 * 1024,
      logger,
      now,
    }),
  );
  api.use(
    conversationRoutes({
      store: deps.store,
      events: deps.events,
      startFlow: deps.startFlow,
      flowExists: (flowId, stepId) =>
        deps.flows().some((f) => f.id === flowId && (!stepId || f.steps.includes(stepId))),
      adapters: deps.adapters,
      handoffSettings: deps.handoffSettings ?? (() => null),
      publicUrl: deps.publicUrl,
      slaTarget,
      onChatEnded: reassignWaiting,
      logger,
      now,
      ...(deps.whatsappTemplates ? { whatsappTemplates: deps.whatsappTemplates } : {}),
    }),
  );
  api.use((_req, res) => {
    res.status(404).json({ error: 'no such console API route' });
  });
  api.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof error === 'object' && error !== null && 'status' in error
        ? Number((error as { status: unknown }).status)
        : 500;
    if (status >= 400 && status < 500) {
      res
        .status(status)
        .json({ error: status === 400 ? 'the request body is not valid JSON' : 'bad request' });
      return;
    }
    logger.error({ err: error }, 'console API request failed');
    res.status(500).json({ error: 'something went wrong on the server; please try again' });
  });
  router.use('/api', api);
  router.use(publicMediaRoute(deps.store));

  router.get('/assets/screens/:file', async (req, res) => {
    const match = /^([a-z][a-z0-9-]{0,40})\.(js|css)$/.exec(req.params.file);
    const bundle = match
      ? await deps.screens.bundle(match[1]!).catch((error: unknown) => {
          logger.error({ err: error, screen: match[1] }, 'console screen failed to build');
          return undefined;
        })
      : null;
    if (bundle === undefined) {
      res.status(500).type('text/plain').send('this console screen failed to build; see the server log');
      return;
    }
    const body = match?.[2] === 'css' ? (bundle?.css ?? '') : bundle?.js;
    if (!bundle || body === undefined) {
      res.status(404).type('text/plain').send('no such console screen');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type(match?.[2] === 'css' ? 'text/css' : 'text/javascript').send(body);
  });
  router.use('/assets', express.static(join(publicDir, 'assets'), { index: false, maxAge: '1h' }));
  router.get(['/', '/index.html'], (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(publicDir, 'index.html'));
  });
  return router;
}
