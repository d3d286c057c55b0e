/**
 * The referral feature: personal links (`referral.link`), the chat stats (`referral.stats`), attribution of
 * arriving friends, the public /r/<code> redirect and QR, conversions and reports. The server wires it.
 */
import type { Feature, FeatureContext } from '../types.js';
import { createReferralLinkAction, createReferralStatsAction } from './actions.js';
import { addCoupons, createReferralApiRouter } from './api-routes.js';
import { type AttributionResult, createReferralInterceptor } from './attribution.js';
import { referralOpenApi } from './openapi.js';
import { loadReferralProgram } from './program-loader.js';
import type { ReferralProgram } from './program-schema.js';
import { createReferralPublicRouter } from './public-routes.js';
import { countFreeCoupons, fulfillPendingRewards } from './rewards.js';
import type { ReferralTables } from './tables.js';

export interface ReferralsOptions {
  /** `flows/referrals/campaigns.yaml`; ignored when `program` is given. */
  campaignsFile?: string;
  /** An already parsed programme (tests, embedding). */
  program?: ReferralProgram;
  /** Called after each attribution attempt (metrics, tests). */
  onAttributed?: (result: AttributionResult) => void;
}

export interface ReferralsFeature extends Feature {
  /** Re-reads campaigns.yaml; on error the previous programme stays and the error is thrown. */
  reload(): Promise<void>;
  program(): ReferralProgram;
}

export async function createReferralsFeature(
  ctx: FeatureContext,
  options: ReferralsOptions,
): Promise<ReferralsFeature> {
  const load = async () => {
    if (options.program) return options.program;
    if (!options.campaignsFile) throw new Error('createReferralsFeature needs campaignsFile or program');
    return loadReferralProgram(options.campaignsFile);
  };
  let program = await load();
  const getProgram = () => program;
  const db = ctx.store.db.withTables<ReferralTables>();
  const deps = { store: ctx.store, config: ctx.config, logger: ctx.logger, getProgram, now: ctx.now };

  /** Puts the YAML-listed coupon codes into the pools (once each) and serves rewards that waited for them. */
  const syncCouponPools = async () => {
    const now = ctx.now();
    for (const [pool, definition] of Object.entries(program.coupon_pools)) {
      if (definition.codes.length > 0) await addCoupons(ctx.store, pool, definition.codes, now);
      await fulfillPendingRewards(db, ctx.store.dialect, program, pool, ctx.logger, now);
      const free = await countFreeCoupons(db, pool);
      if (free < definition.warn_below) {
        ctx.logger.warn(
          { pool, free },
          'referral coupon pool is running low; load codes through POST /api/v1/referrals/coupons',
        );
      }
    }
  };

  return {
    name: 'referrals',
    actions: [
      createReferralLinkAction({ db, config: ctx.config, getProgram }),
      createReferralStatsAction({ db, config: ctx.config, getProgram }),
    ],
    interceptors: [
      createReferralInterceptor(ctx.store, getProgram, ctx.logger, (result) =>
        options.onAttributed?.(result),
      ),
    ],
    apiRouter: createReferralApiRouter(deps),
    publicRouter: createReferralPublicRouter(deps),
    openApi: referralOpenApi,
    async start() {
      await syncCouponPools();
    },
    async stop() {},
    async reload() {
      program = await load();
      await syncCouponPools();
    },
    program: getProgram,
  };
}
