/**
 * Contacts and privacy: search and profile, export (access request) and erasure (erasure request) over the
 * REST API; the console mounts the same router for marketers; `plausch contacts` does it from the shell.
 */
import { hostname } from 'node:os';
import type { Config } from '../../config.js';
import type { Feature, FeatureContext } from '../types.js';
import { privacyOpenApi } from './openapi.js';
import { type PurgeCounts, runRetentionOnce } from './retention.js';
import { createPrivacyRouter } from './routes.js';

/** The retention job runs hourly; its lease lasts a little less, so a crashed holder is replaced next hour. */
const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const RETENTION_LEASE_MS = 55 * 60 * 1000;

/** The key of the consent ledger's pseudonyms: ERASURE_HASH_KEY (required in production), else a development key. */
export function erasureKeyOf(config: Config): string {
  return config.ERASURE_HASH_KEY ?? 'plausch-development-erasure-key';
}

export interface PrivacyFeature extends Feature {
  /** One retention pass now (tests, operators); null when another instance holds the lease. */
  runRetention(): Promise<PurgeCounts | null>;
}

export function createPrivacyFeature(ctx: FeatureContext): PrivacyFeature {
  const holder = ctx.config.INSTANCE_ID ?? `${hostname()}-${process.pid}`;
  const limits = {
    transcriptDays: ctx.config.RETENTION_TRANSCRIPT_DAYS,
    inboundDays: ctx.config.RETENTION_INBOUND_DAYS,
    clicksDays: ctx.config.RETENTION_CLICKS_DAYS,
  };
  const logger = ctx.logger.child({ feature: 'privacy' });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const runRetention = () => runRetentionOnce(ctx.store, limits, holder, ctx.now(), RETENTION_LEASE_MS);
  const tick = () => {
    if (running) return;
    running = runRetention()
      .then((counts) => {
        if (counts) logger.info({ purged: counts }, 'retention purge done');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'retention purge failed'))
      .finally(() => {
        running = null;
      });
  };
  return {
    name: 'privacy',
    runRetention,
    async start() {
      if (timer) return;
      timer = setInterval(tick, RETENTION_INTERVAL_MS);
      timer.unref();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
    apiRouter: createPrivacyRouter({
      store: ctx.store,
      now: ctx.now,
      erasureKey: erasureKeyOf(ctx.config),
      source: 'api',
    }),
    openApi: privacyOpenApi,
  };
}
