/**
 * The composition root: builds every part of Plausch from the configuration, in dependency order, and knows
 * how to start and stop them. `plausch serve`, `plausch chat` and the integration tests all come through here.
 */
import { hostname } from 'node:os';
import type { Express } from 'express';
import { guardInboundSink } from '../channels/inbound-guard.js';
import type { ChannelAdapter } from '../channels/types.js';
import { createTemplateFetcher } from '../channels/whatsapp-cloud/template-sync.js';
import type { Config } from '../config.js';
import { broadcastRoutes } from '../console/api/broadcast-routes.js';
import { marketingRoutes } from '../console/api/marketing-routes.js';
import { setPasswordHashCost } from '../console/auth/password.js';
import { ensureFirstAdmin } from '../console/auth/users.js';
import { PostgresEventRelay } from '../console/live/pg-relay.js';
import { createConsoleRouter } from '../console/router.js';
import { createScreenBundler } from '../console/screen-bundles.js';
import { ActionRegistry } from '../engine/actions.js';
import { registerCoreActions } from '../engine/core-actions.js';
import { runTurn } from '../engine/run-turn.js';
import type { InboundInterceptor } from '../engine/types.js';
import type { HandoffFeature } from '../features/handoff/feature.js';
import type { NewsletterFeature } from '../features/newsletter/index.js';
import { erasureKeyOf } from '../features/privacy/index.js';
import type { Feature, FeatureContext } from '../features/types.js';
import type { Workbench } from '../features/workbench/workbench.js';
import { FlowRepository } from '../flows/repository.js';
import { createHttpApp, type HealthCheck } from '../http/app.js';
import { deadLetterRouter } from '../http/dead-letter-routes.js';
import { PlauschMetrics } from '../http/metrics.js';
import { SharedRateLimiter } from '../http/shared-rate-limit.js';
import type { Logger } from '../logger.js';
import { type ChannelCapabilities, type ChannelName, PLAIN_TEXT_CAPABILITIES } from '../model/index.js';
import { pacingPolicyFromConfig } from '../outbox/pacing-policy.js';
import type { SendGuard } from '../outbox/types.js';
import { OutboxWorker } from '../outbox/worker.js';
import { ConversationRuntime } from '../runtime/conversation-runtime.js';
import { InProcessEventBus, type RuntimeEventBus } from '../runtime/events.js';
import { checkDataMarker, resolveMarkerPath } from '../store/data-marker.js';
import { openStore, type Store } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { StoreWatch } from '../store/store-watch.js';
import { createEnabledAdapters } from './channels.js';
import { createFeatures } from './features.js';
import { questionDetectorOf } from './question-detector.js';
import { createWorkbenchWiring } from './workbench.js';

export const PLAUSCH_VERSION = '0.1.0';

export interface PlauschOptions {
  config: Config;
  logger: Logger;
  /** Extra adapters (the terminal chat, tests' fakes) next to those the configuration enables. */
  extraAdapters?: readonly ChannelAdapter[];
  /** Skip the configured adapters entirely (the terminal chat talks through its own adapter only). */
  onlyExtraAdapters?: boolean;
  now?: () => Date;
  /** An already opened store (tests share one between two "instances"). */
  store?: Store;
  /** The event bus for live views; the console swaps in one that crosses instances. */
  events?: RuntimeEventBus;
}

export interface Plausch {
  config: Config;
  store: Store;
  flows: FlowRepository;
  actions: ActionRegistry;
  runtime: ConversationRuntime;
  outbox: OutboxWorker;
  storeWatch: StoreWatch;
  events: RuntimeEventBus;
  adapters: ReadonlyMap<ChannelName, ChannelAdapter>;
  features: readonly Feature[];
  /** The console's flow workbench (its API is on `http`). */
  workbench: Workbench;
  http: Express;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createPlausch(options: PlauschOptions): Promise<Plausch> {
  const { config, logger } = options;
  const now = options.now ?? (() => new Date());
  if (config.PASSWORD_HASH_COST !== undefined) setPasswordHashCost(config.PASSWORD_HASH_COST);
  const instanceId = config.INSTANCE_ID ?? `${hostname()}-${process.pid}`;

  // A store handed in belongs to the caller (tests run two instances on one); one opened here is closed here.
  const ownsStore = !options.store;
  const store =
    options.store ?? openStore({ databaseUrl: config.DATABASE_URL, sqlitePath: config.SQLITE_PATH });
  const migration = await migrateToLatest(store);
  if (migration.applied.length > 0) logger.info({ applied: migration.applied }, 'database migrated');
  // An empty database where there was data means ./data was deleted or the wrong database is configured.
  const markerPath =
    config.NODE_ENV === 'test' && !config.DATA_MARKER_PATH
      ? null
      : resolveMarkerPath(config.DATA_MARKER_PATH, store);
  if (markerPath) {
    try {
      await checkDataMarker(store, markerPath, now());
    } catch (error) {
      if (ownsStore) await store.close();
      throw error;
    }
  }
  const storeWatch = new StoreWatch({
    store,
    instanceId,
    logger: logger.child({ part: 'store' }),
    markerPath,
  });

  const featureContext: FeatureContext = { store, config, logger, now };
  const features = await createFeatures(featureContext);

  const actions = new ActionRegistry();
  registerCoreActions(actions);
  for (const feature of features) for (const action of feature.actions ?? []) actions.register(action);

  // A broken flow set refuses to start with the list of problems; later broken edits keep the last good set.
  const flows = await FlowRepository.open(config.FLOWS_DIR, actions, logger.child({ part: 'flows' }));

  const configured = options.onlyExtraAdapters
    ? new Map()
    : await createEnabledAdapters(config, logger, store, instanceId);
  const adapters = new Map<ChannelName, ChannelAdapter>(configured);
  for (const adapter of options.extraAdapters ?? []) adapters.set(adapter.name, adapter);

  const interceptors: InboundInterceptor[] = features.flatMap((f) => [...(f.interceptors ?? [])]);
  const guards: SendGuard[] = features.flatMap((f) => [...(f.guards ?? [])]);
  const capabilitiesOf = (channel: ChannelName): ChannelCapabilities =>
    adapters.get(channel)?.capabilities ?? PLAIN_TEXT_CAPABILITIES;

  // On PostgreSQL several instances may serve one database: live events cross them through LISTEN/NOTIFY.
  const relay =
    !options.events && store.dialect === 'postgres' && store.pgPool
      ? new PostgresEventRelay({
          pool: store.pgPool,
          instanceId,
          logger: logger.child({ part: 'live-events' }),
        })
      : null;
  await relay?.start();
  const events: RuntimeEventBus = options.events ?? relay ?? new InProcessEventBus();
  const runtime = new ConversationRuntime({
    store,
    logger: logger.child({ part: 'runtime' }),
    flows: () => flows.current(),
    actions,
    interceptors: () => interceptors,
    questions: questionDetectorOf(features),
    runTurn,
    capabilitiesOf,
    events,
    now,
    instanceId,
    // WhatsApp Cloud counts received messages against the send rate; the outbox's schedule takes them in.
    onAccepted: (message) => {
      outbox.countInbound(message.channel).catch((error: unknown) => {
        logger.warn(
          { err: error, channel: message.channel },
          'could not count an inbound message for pacing',
        );
      });
    },
  });
  const outbox: OutboxWorker = new OutboxWorker({
    store,
    logger: logger.child({ part: 'outbox' }),
    adapters,
    guards: () => guards,
    events,
    instanceId,
    now,
    pollIntervalMs: 500,
    sendConcurrency: config.OUTBOX_SEND_CONCURRENCY,
    pacing: pacingPolicyFromConfig(config),
  });

  let shuttingDown = false;
  const readiness: HealthCheck[] = [
    {
      name: 'store',
      // A write, not a SELECT: a locked, full, read-only or deleted database still answers reads.
      check: async () => {
        const health = await storeWatch.check(1_000);
        return { status: health.status, detail: health.detail };
      },
    },
    {
      name: 'flows',
      check: async () => {
        const status = flows.status();
        const loaded = `${status.flows} flows, ${status.steps} steps loaded ${status.loadedAt.toISOString()}`;
        if (!status.rejected) return { status: 'ok', detail: loaded };
        const first = status.rejected.problems[0];
        return {
          status: 'degraded',
          detail: `${loaded}; the latest edit was rejected (${status.rejected.problems.length} problems${
            first ? `, first: ${first.file}:${first.line}:${first.column}: ${first.message}` : ''
          })`,
        };
      },
    },
    ...[...adapters.values()].map(
      (adapter): HealthCheck => ({
        name: `channel:${adapter.name}`,
        check: async () => {
          const health = adapter.health();
          const status = health.state === 'ready' ? 'ok' : health.state === 'down' ? 'down' : 'degraded';
          return { status, ...(health.detail ? { detail: health.detail } : {}) };
        },
      }),
    ),
  ];

  const screens = createScreenBundler();
  const newsletter = features.find(
    (f): f is NewsletterFeature => f.name === 'newsletter' && 'kickFanOut' in f,
  );
  const workbench = await createWorkbenchWiring({
    config,
    store,
    flows,
    actions,
    features,
    logger,
    now,
    instanceId,
  });

  const http = createHttpApp({
    logger: logger.child({ part: 'http' }),
    apiTokens: config.API_TOKENS,
    webhookRoutes: [...adapters.values()].flatMap((a) => [...a.routes]),
    apiRouters: [deadLetterRouter(store), ...features.flatMap((f) => (f.apiRouter ? [f.apiRouter] : []))],
    publicRouters: features.flatMap((f) => (f.publicRouter ? [f.publicRouter] : [])),
    openApi: features.flatMap((f) => (f.openApi ? [f.openApi] : [])),
    readiness,
    consoleRouter: createConsoleRouter({
      store,
      events,
      adapters,
      startFlow: (conversationId, flowId, stepId) => runtime.startFlow(conversationId, flowId, stepId),
      flows: () =>
        [...flows.current().flows.values()].map((f) => ({
          id: f.definition.id,
          title: f.definition.title ?? f.definition.id,
          steps: Object.keys(f.definition.steps),
        })),
      teams: () => {
        const handoff = features.find((f): f is HandoffFeature => f.name === 'handoff' && 'settings' in f);
        return Object.entries(handoff?.settings.teams ?? {}).map(([id, team]) => ({ id, name: team.name }));
      },
      handoffSettings: () =>
        features.find((f): f is HandoffFeature => f.name === 'handoff' && 'settings' in f)?.settings ?? null,
      logger,
      publicUrl: config.PUBLIC_URL,
      mediaMaxBytes: config.MEDIA_MAX_BYTES,
      now,
      screens,
      ...(newsletter
        ? {
            whatsappTemplates: {
              templates: () => newsletter.templates(),
              defaultLocale: () => newsletter.topics().defaultLocale,
            },
          }
        : {}),
      extraApiRouters: [
        marketingRoutes({
          store,
          now,
          erasureKey: erasureKeyOf(config),
          more: newsletter
            ? [broadcastRoutes({ store, newsletter, now, templateFetcher: createTemplateFetcher(config) })]
            : [],
        }),
        workbench.router,
      ],
    }),
    isShuttingDown: () => shuttingDown,
    version: PLAUSCH_VERSION,
    metrics: { registry: new PlauschMetrics(store, events), token: config.METRICS_TOKEN },
    trustProxy: config.TRUST_PROXY,
    rateLimit: {
      limiter: new SharedRateLimiter(
        store,
        logger.child({ part: 'rate-limit' }),
        // Required in production; the fallback only keeps development and test instances in step.
        config.ERASURE_HASH_KEY ?? 'plausch-development-rate-limit-key',
      ),
      perMinute: config.PUBLIC_RATE_LIMIT_PER_MINUTE,
    },
  });

  return {
    config,
    store,
    flows,
    actions,
    runtime,
    outbox,
    storeWatch,
    events,
    adapters,
    features,
    workbench: workbench.workbench,
    http,
    async start() {
      storeWatch.start();
      const admin = await ensureFirstAdmin(
        store.db,
        { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD },
        now(),
      );
      if (admin) logger.info({ userId: admin.id }, 'first console admin created from ADMIN_EMAIL');
      await runtime.recoverPending();
      outbox.start();
      for (const feature of features) await feature.start?.();
      // Adapters talk to the runtime through the guard: what can never be recorded goes to dead letters.
      const sink = guardInboundSink(runtime, { db: store.db, logger: logger.child({ part: 'inbox' }), now });
      for (const adapter of adapters.values()) {
        try {
          await adapter.start(sink);
        } catch (error) {
          // One broken channel must not take the others down; /readyz shows it.
          logger.error({ err: error, channel: adapter.name }, 'channel failed to start');
        }
      }
    },
    async stop() {
      shuttingDown = true;
      for (const adapter of adapters.values()) {
        await adapter
          .stop()
          .catch((error: unknown) =>
            logger.warn({ err: error, channel: adapter.name }, 'channel stop failed'),
          );
      }
      for (const feature of features) await feature.stop?.();
      await runtime.stop();
      await outbox.stop();
      storeWatch.stop();
      flows.close();
      await workbench.close();
      await relay?.stop();
      await screens.close();
      if (ownsStore) await store.close();
    },
  };
}
