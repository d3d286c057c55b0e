/**
 * Results for marketers: the dashboard figures (figures.ts) over the REST API and, through the same router,
 * the console. The data comes from the other features' tables plus the anonymous outcome log.
 */
import type { Feature, FeatureContext } from '../types.js';
import { insightsOpenApi } from './openapi.js';
import { createInsightsRouter } from './routes.js';

export function createInsightsFeature(ctx: FeatureContext): Feature {
  return {
    name: 'insights',
    apiRouter: createInsightsRouter({ store: ctx.store, now: ctx.now }),
    openApi: insightsOpenApi(),
  };
}
