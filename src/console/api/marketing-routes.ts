/**
 * The marketer's half of the console API: the dashboard figures (the same router as /api/v1/insights) and,
 * next to it, contacts and privacy. Everything here needs the `marketing` capability (marketer, admin).
 */
import { Router } from 'express';
import { createInsightsRouter } from '../../features/insights/routes.js';
import type { Store } from '../../store/database.js';
import { requireCapability } from '../auth/capabilities.js';

export interface MarketingRouteDeps {
  store: Store;
  now: () => Date;
  /** More marketing routers (contacts, privacy, broadcasts), mounted behind the same capability check. */
  more?: Router[];
}

export const MARKETING_PATHS = ['/insights', '/marketing'];

export function marketingRoutes(deps: MarketingRouteDeps): Router {
  const router = Router();
  router.use(MARKETING_PATHS, requireCapability('marketing'));
  router.use(createInsightsRouter({ store: deps.store, now: deps.now }));
  for (const extra of deps.more ?? []) router.use(extra);
  return router;
}
