/**
 * Contacts and privacy: search and profile, export (access request) and erasure (erasure request) over the
 * REST API; the console mounts the same router for marketers; `plausch contacts` does it from the shell.
 */
import type { Config } from '../../config.js';
import type { Feature, FeatureContext } from '../types.js';
import { privacyOpenApi } from './openapi.js';
import { createPrivacyRouter } from './routes.js';

/** The key of the consent ledger's pseudonyms: ERASURE_HASH_KEY, else SESSION_SECRET, else a development key. */
export function erasureKeyOf(config: Config): string {
  return config.ERASURE_HASH_KEY ?? config.SESSION_SECRET ?? 'plausch-development-erasure-key';
}

export function createPrivacyFeature(ctx: FeatureContext): Feature {
  return {
    name: 'privacy',
    apiRouter: createPrivacyRouter({
      store: ctx.store,
      now: ctx.now,
      erasureKey: erasureKeyOf(ctx.config),
      source: 'api',
    }),
    openApi: privacyOpenApi,
  };
}
