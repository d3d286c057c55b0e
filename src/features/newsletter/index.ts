/**
 * The opt-in newsletter feature: topics, double opt-in in the chat, the consent ledger, one-word
 * unsubscribe, the consent send guard, broadcasts with their fan-out scheduler, and the REST API.
 */
import { join } from 'node:path';
import { loadTemplateRegistry, type TemplateRegistry } from '../../channels/whatsapp-cloud/templates.js';
import type { Feature, FeatureContext } from '../types.js';
import { createNewsletterActions } from './actions.js';
import { createNewsletterApiRouter } from './api.js';
import { fanOutDueBroadcasts } from './broadcast-fanout.js';
import { createClickRecorder } from './click-recorder.js';
import { createConsentGuard } from './consent-guard.js';
import { withNewsletterTables } from './consent-ledger.js';
import { newsletterOpenApi } from './openapi.js';
import type { NewsletterDb } from './tables.js';
import { loadTopicCatalog, type TopicCatalog } from './topics.js';
import { createUnsubscribeInterceptor } from './unsubscribe-interceptor.js';

export interface NewsletterFeatureOptions {
  /** Defaults to `<FLOWS_DIR>/newsletter/topics.yaml`. */
  topicsFile?: string;
  /** Defaults to `<FLOWS_DIR>/whatsapp/templates.yaml` (optional file). */
  templatesFile?: string;
  /** How often the fan-out scheduler looks for due broadcasts (ms). */
  fanOutIntervalMs?: number;
  /** Recipients per fan-out transaction. */
  fanOutChunkSize?: number;
  /** Chunks per scheduler tick, so one huge broadcast does not starve the others' start. */
  fanOutMaxChunksPerTick?: number;
}

export interface NewsletterFeature extends Feature {
  readonly db: NewsletterDb;
  topics(): TopicCatalog;
  /** The approved WhatsApp templates broadcasts may name. */
  templates(): TemplateRegistry;
  /** Re-reads topics.yaml; keeps the old topics (and throws) if the file has problems. */
  reloadTopics(): TopicCatalog;
  /** One scheduler pass; tests and `plausch` commands call it directly. */
  runFanOut(): Promise<{ chunks: number; queued: number }>;
  /** Starts a fan-out pass now (after "send now"); a no-op until `start()`. */
  kickFanOut(): void;
}

export function createNewsletterFeature(
  ctx: FeatureContext,
  options: NewsletterFeatureOptions = {},
): NewsletterFeature {
  const topicsFile = options.topicsFile ?? join(ctx.config.FLOWS_DIR, 'newsletter', 'topics.yaml');
  const templatesFile = options.templatesFile ?? join(ctx.config.FLOWS_DIR, 'whatsapp', 'templates.yaml');
  let catalog = loadTopicCatalog(topicsFile);
  let templates = loadTemplateRegistry(templatesFile);
  const getCatalog = () => catalog;
  const getTemplates = () => templates;
  const db = withNewsletterTables(ctx.store.db);
  const logger = ctx.logger.child({ feature: 'newsletter' });
  const fanOutOptions = {
    dialect: ctx.store.dialect,
    chunkSize: options.fanOutChunkSize ?? 500,
    maxChunks: options.fanOutMaxChunksPerTick ?? 20,
  };

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let again = false;

  const runFanOut = () =>
    fanOutDueBroadcasts(db, ctx.now(), {
      ...fanOutOptions,
      defaultLocale: catalog.defaultLocale,
      templates,
    });

  /** One pass at a time; a kick during a pass asks for another pass right after it. */
  const tick = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = runFanOut()
      .then((result) => {
        if (result.queued > 0) logger.info(result, 'broadcast fan-out queued messages');
        // A full pass means there is more to do; continue soon instead of waiting a whole interval.
        if (result.chunks >= fanOutOptions.maxChunks) again = true;
      })
      .catch((error: unknown) => logger.error({ err: error }, 'broadcast fan-out failed'))
      .finally(() => {
        running = null;
        if (again && timer) {
          again = false;
          setImmediate(tick);
        }
      });
  };

  return {
    name: 'newsletter',
    db,
    topics: getCatalog,
    templates: getTemplates,
    async reload() {
      // Both files load before either replaces the old one: a broken edit keeps everything as it was.
      const nextCatalog = loadTopicCatalog(topicsFile);
      const nextTemplates = loadTemplateRegistry(templatesFile);
      catalog = nextCatalog;
      templates = nextTemplates;
    },
    reloadTopics() {
      catalog = loadTopicCatalog(topicsFile);
      return catalog;
    },
    runFanOut,
    kickFanOut: () => {
      if (timer) tick();
    },
    actions: createNewsletterActions(db, getCatalog),
    // Unsubscribe first: a STOP must win over everything else.
    interceptors: [createUnsubscribeInterceptor(db, getCatalog, logger), createClickRecorder(db, logger)],
    guards: [createConsentGuard(db)],
    apiRouter: createNewsletterApiRouter({
      db,
      catalog: getCatalog,
      templates: getTemplates,
      now: ctx.now,
      kickFanOut: () => {
        if (timer) tick();
      },
    }),
    openApi: newsletterOpenApi(),
    async start() {
      if (timer) return;
      timer = setInterval(tick, options.fanOutIntervalMs ?? 5_000);
      timer.unref();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      again = false;
      await running;
    },
  };
}

export type { NewsletterDb } from './tables.js';
export { TopicCatalog } from './topics.js';
