/**
 * The referral REST routes under /api/v1: conversions, report, leaderboard, code details, coupon pools and
 * pending rewards. Every input is checked with zod; errors are 4xx with a reason.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { ApiError, parseInput, route } from '../../http/api-support.js';
import { CSV_BOM, csvRow } from '../../http/csv.js';
import type { Logger } from '../../logger.js';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import { findCode, normalizeCode } from './codes.js';
import { conversionInputSchema, recordConversion } from './conversions.js';
import { couponCodeSchema, POOL_NAME, type ReferralProgram } from './program-schema.js';
import { buildLeaderboard, buildReport, countsForCodes, type ReportRow, shortenName } from './report.js';
import { countFreeCoupons, fulfillPendingRewards } from './rewards.js';
import type { ReferralTables } from './tables.js';

export interface ApiRouteDeps {
  store: Store;
  logger: Logger;
  getProgram: () => ReferralProgram;
  now: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `2025-03-01` or a full ISO timestamp. */
const instant = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v) && !Number.isNaN(Date.parse(v)), {
    message: 'use a date like 2025-03-01 or an ISO timestamp',
  })
  .transform((v) => new Date(v));

export const reportQuerySchema = z.object({
  group_by: z.enum(['referrer', 'campaign', 'channel', 'country', 'region']).default('campaign'),
  from: instant.optional(),
  to: instant.optional(),
  /** csv = the rows as a spreadsheet download (one value column per currency). */
  format: z.enum(['json', 'csv'], { message: 'format is json or csv' }).default('json'),
});

export const leaderboardQuerySchema = z.object({
  campaign: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

export const couponUploadSchema = z.strictObject({
  pool: z.string().regex(POOL_NAME, 'pool names use A-Z, a-z, 0-9, _ and -'),
  codes: z
    .array(couponCodeSchema)
    .min(1, 'give at least one code')
    .max(10_000, 'at most 10000 codes per request'),
});

export const rewardsQuerySchema = z.object({
  status: z.enum(['pending', 'sent']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function createReferralApiRouter(deps: ApiRouteDeps): Router {
  const router = express.Router();
  const db = () => deps.store.db.withTables<ReferralTables>();

  router.post(
    '/conversions',
    express.json({ limit: '64kb' }),
    route(async (req, res) => {
      const input = parseInput(conversionInputSchema, req.body);
      const result = await recordConversion(deps.store, input, 'api', deps.now());
      res.status(result.created ? 201 : 200).json(result.conversion);
    }),
  );

  router.get(
    '/referrals/report',
    route(async (req, res) => {
      const query = parseInput(reportQuerySchema, req.query, 'query');
      const to = query.to ?? deps.now();
      const from = query.from ?? new Date(to.getTime() - 30 * DAY_MS);
      if (from.getTime() >= to.getTime()) throw new ApiError(400, 'from must be before to');
      const rows = await buildReport(db(), query.group_by, from, to);
      const totals = rows.reduce(
        (sum, row) => {
          sum.clicks += row.clicks;
          sum.unique_clicks += row.unique_clicks;
          sum.bot_clicks += row.bot_clicks;
          sum.new_contacts += row.new_contacts;
          sum.existing_contacts += row.existing_contacts;
          sum.conversions += row.conversions;
          for (const [currency, value] of Object.entries(row.value)) {
            sum.value[currency] = Math.round(((sum.value[currency] ?? 0) + value) * 100) / 100;
          }
          return sum;
        },
        {
          clicks: 0,
          unique_clicks: 0,
          bot_clicks: 0,
          new_contacts: 0,
          existing_contacts: 0,
          conversions: 0,
          value: {} as Record<string, number>,
        },
      );
      if (query.format === 'csv') {
        res
          .status(200)
          .type('text/csv; charset=utf-8')
          .setHeader(
            'Content-Disposition',
            `attachment; filename="referrals-${query.group_by}-${from.toISOString().slice(0, 10)}.csv"`,
          )
          .send(reportAsCsv(rows));
        return;
      }
      res.json({ group_by: query.group_by, from: from.toISOString(), to: to.toISOString(), rows, totals });
    }),
  );

  router.get(
    '/referrals/leaderboard',
    route(async (req, res) => {
      const query = parseInput(leaderboardQuerySchema, req.query, 'query');
      if (query.campaign && !deps.getProgram().campaigns[query.campaign]) {
        throw new ApiError(404, `unknown campaign "${query.campaign}"`);
      }
      res.json({
        campaign: query.campaign ?? null,
        entries: await buildLeaderboard(db(), query.campaign, query.limit),
      });
    }),
  );

  router.get(
    '/referrals/codes/:code',
    route(async (req, res) => {
      const normalized = normalizeCode(String(req.params.code ?? '').replace(/^ref_/i, ''));
      const code = normalized ? await findCode(db(), normalized) : undefined;
      if (!code) throw new ApiError(404, 'unknown referral code');
      const contact = await db()
        .selectFrom('contacts')
        .select(['first_name', 'last_name', 'display_name'])
        .where('id', '=', code.contact_id)
        .executeTakeFirst();
      const rewards = await db()
        .selectFrom('referral_rewards')
        .select(['milestone_id', 'friends', 'status', 'coupon_pool', 'created_at', 'fulfilled_at'])
        .where('referrer_contact_id', '=', code.contact_id)
        .where('campaign_id', '=', code.campaign_id)
        .orderBy('friends')
        .execute();
      res.json({
        code: code.code,
        campaign: code.campaign_id,
        channel: code.channel,
        referrer: {
          contact_id: code.contact_id,
          name: contact ? shortenName(contact.first_name, contact.last_name, contact.display_name) : null,
        },
        created_at: new Date(Number(code.created_at)).toISOString(),
        counts: await countsForCodes(db(), [code.id]),
        rewards: rewards.map((r) => ({
          milestone: r.milestone_id,
          friends: r.friends,
          status: r.status,
          coupon_pool: r.coupon_pool,
          created_at: new Date(Number(r.created_at)).toISOString(),
          fulfilled_at: r.fulfilled_at === null ? null : new Date(Number(r.fulfilled_at)).toISOString(),
        })),
      });
    }),
  );

  router.get(
    '/referrals/coupons',
    route(async (_req, res) => {
      const program = deps.getProgram();
      const pools = await Promise.all(
        Object.keys(program.coupon_pools).map(async (pool) => {
          const total = await db()
            .selectFrom('referral_coupons')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('pool', '=', pool)
            .executeTakeFirst();
          const free = await countFreeCoupons(db(), pool);
          return { pool, total: Number(total?.n ?? 0), free, handed_out: Number(total?.n ?? 0) - free };
        }),
      );
      res.json({ pools });
    }),
  );

  router.post(
    '/referrals/coupons',
    express.json({ limit: '1mb' }),
    route(async (req, res) => {
      const input = parseInput(couponUploadSchema, req.body);
      const program = deps.getProgram();
      if (!program.coupon_pools[input.pool]) {
        throw new ApiError(
          404,
          `unknown coupon pool "${input.pool}"; declare it under coupon_pools in campaigns.yaml`,
        );
      }
      const now = deps.now();
      const unique = [...new Set(input.codes)];
      const added = await addCoupons(deps.store, input.pool, unique, now);
      const fulfilled = await fulfillPendingRewards(
        deps.store.db.withTables<ReferralTables>(),
        deps.store.dialect,
        program,
        input.pool,
        deps.logger,
        now,
      );
      res.status(201).json({
        pool: input.pool,
        added,
        already_known: input.codes.length - added,
        pending_rewards_fulfilled: fulfilled,
        free: await countFreeCoupons(db(), input.pool),
      });
    }),
  );

  router.get(
    '/referrals/rewards',
    route(async (req, res) => {
      const query = parseInput(rewardsQuerySchema, req.query, 'query');
      let q = db()
        .selectFrom('referral_rewards')
        .selectAll()
        .orderBy('created_at', 'desc')
        .limit(query.limit);
      if (query.status) q = q.where('status', '=', query.status);
      const rows = await q.execute();
      res.json({
        rewards: rows.map((r) => ({
          id: r.id,
          referrer_contact_id: r.referrer_contact_id,
          campaign: r.campaign_id,
          milestone: r.milestone_id,
          friends: r.friends,
          coupon_pool: r.coupon_pool,
          status: r.status,
          created_at: new Date(Number(r.created_at)).toISOString(),
        })),
      });
    }),
  );

  return router;
}

/** The report's rows as CSV: the same numbers as the JSON rows, one `value_<currency>` column per currency. */
export function reportAsCsv(rows: readonly ReportRow[]): string {
  const currencies = [...new Set(rows.flatMap((r) => Object.keys(r.value)))].sort();
  const header = [
    'key',
    'label',
    'clicks',
    'unique_clicks',
    'bot_clicks',
    'new_contacts',
    'existing_contacts',
    'conversions',
    ...currencies.map((c) => `value_${c}`),
  ];
  const lines = rows.map((r) =>
    csvRow([
      r.key,
      r.label ?? '',
      r.clicks,
      r.unique_clicks,
      r.bot_clicks,
      r.new_contacts,
      r.existing_contacts,
      r.conversions,
      ...currencies.map((c) => r.value[c] ?? 0),
    ]),
  );
  return `${CSV_BOM}${csvRow(header)}${lines.join('')}`;
}

/** Adds codes the pool does not have yet, in one transaction; returns how many were new. */
export async function addCoupons(
  store: Store,
  pool: string,
  codes: readonly string[],
  now: Date,
): Promise<number> {
  const db = store.db.withTables<ReferralTables>();
  return db.transaction().execute(async (trx) => {
    let added = 0;
    for (let i = 0; i < codes.length; i += 200) {
      const chunk = codes.slice(i, i + 200).map((code) => ({
        id: newId(now.getTime()),
        pool,
        code,
        reward_id: null,
        assigned_at: null,
        created_at: now.getTime(),
      }));
      const result = await trx
        .insertInto('referral_coupons')
        .values(chunk)
        .onConflict((oc) => oc.columns(['pool', 'code']).doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  });
}
