/**
 * Milestone rewards: reaching "3 friends joined" records the reward, takes a coupon from its pool and queues the
 * reward message, all inside the caller's transaction, so it happens exactly once. An empty pool leaves the
 * reward `pending` (the referrer is told it is coming, operators are warned) until codes are loaded.
 *
 * Reward messages use outbox purpose `system` without a topic: the referrer asked for them by joining the
 * programme, so they are transactional, not marketing that needs newsletter consent.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from '../../logger.js';
import type { ChannelName } from '../../model/index.js';
import { enqueueOutbound } from '../../outbox/enqueue.js';
import type { StoreDialect } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import type { MilestoneDefinition, ReferralProgram } from './program-schema.js';
import type { ReferralTables } from './tables.js';
import { BUILT_IN_TEXTS, fillTemplate, pickLocalized } from './texts.js';

export type RewardDb = Transaction<CoreTables & ReferralTables>;

export interface GrantedReward {
  rewardId: string;
  milestoneId: string;
  status: 'sent' | 'pending';
  couponCode: string | null;
}

interface RewardContext {
  trx: RewardDb;
  dialect: StoreDialect;
  program: ReferralProgram;
  logger: Logger;
  now: Date;
}

/** Takes one free code of the pool for the reward; SKIP LOCKED lets concurrent claims pass each other. */
export async function claimCoupon(
  trx: Kysely<CoreTables & ReferralTables>,
  dialect: StoreDialect,
  pool: string,
  rewardId: string,
  now: Date,
): Promise<string | null> {
  let next = trx
    .selectFrom('referral_coupons')
    .select('id')
    .where('pool', '=', pool)
    .where('reward_id', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1);
  if (dialect === 'postgres') next = next.forUpdate().skipLocked();
  const claimed = await trx
    .updateTable('referral_coupons')
    .set({ reward_id: rewardId, assigned_at: now.getTime() })
    .where('id', '=', next)
    .where('reward_id', 'is', null)
    .returning('code')
    .executeTakeFirst();
  return claimed?.code ?? null;
}

export async function countFreeCoupons(
  db: Kysely<CoreTables & ReferralTables>,
  pool: string,
): Promise<number> {
  const row = await db
    .selectFrom('referral_coupons')
    .select((eb) => eb.fn.countAll<number>().as('free'))
    .where('pool', '=', pool)
    .where('reward_id', 'is', null)
    .executeTakeFirst();
  return Number(row?.free ?? 0);
}

interface Referrer {
  id: string;
  channel: string;
  locale: string;
  displayName: string;
}

async function loadReferrer(trx: RewardDb, contactId: string): Promise<Referrer | null> {
  const row = await trx
    .selectFrom('contacts')
    .select(['id', 'channel', 'locale', 'first_name', 'display_name'])
    .where('id', '=', contactId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    channel: row.channel,
    locale: row.locale,
    displayName: row.first_name ?? row.display_name ?? '',
  };
}

async function enqueueRewardMessage(
  ctx: RewardContext,
  referrer: Referrer,
  text: string,
  rewardId: string,
): Promise<string> {
  const conversation = await ctx.trx
    .selectFrom('conversations')
    .select('id')
    .where('contact_id', '=', referrer.id)
    .executeTakeFirst();
  const [outboxId] = await enqueueOutbound(
    ctx.trx as unknown as Kysely<CoreTables>,
    [
      {
        contactId: referrer.id,
        conversationId: conversation?.id ?? null,
        channel: referrer.channel as ChannelName,
        message: { text },
        purpose: 'system',
        topic: null,
        sourceId: `referral-reward:${rewardId}`,
      },
    ],
    ctx.now,
  );
  return outboxId ?? '';
}

function rewardText(
  program: ReferralProgram,
  milestone: MilestoneDefinition,
  locale: string,
  values: Record<string, string | number>,
) {
  return fillTemplate(pickLocalized(milestone.reward_text, locale, program.default_locale), values);
}

/**
 * Grants every milestone of the campaign the referrer has reached and not yet been rewarded for. Must run in
 * the transaction that counted the join; the unique (referrer, campaign, milestone) key makes it exactly once.
 */
export async function grantReachedMilestones(
  ctx: RewardContext,
  referrerContactId: string,
  campaignId: string,
  joined: number,
): Promise<GrantedReward[]> {
  const campaign = ctx.program.campaigns[campaignId];
  if (!campaign) return [];
  const reached = campaign.milestones
    .filter((m) => m.friends <= joined)
    .sort((a, b) => a.friends - b.friends);
  if (reached.length === 0) return [];
  const referrer = await loadReferrer(ctx.trx, referrerContactId);
  if (!referrer) return [];
  const granted: GrantedReward[] = [];
  for (const milestone of reached) {
    const rewardId = newId(ctx.now.getTime());
    const inserted = await ctx.trx
      .insertInto('referral_rewards')
      .values({
        id: rewardId,
        referrer_contact_id: referrerContactId,
        campaign_id: campaignId,
        milestone_id: milestone.id,
        friends: milestone.friends,
        coupon_pool: milestone.coupon_pool ?? null,
        coupon_code: null,
        status: 'pending',
        outbox_id: null,
        created_at: ctx.now.getTime(),
        fulfilled_at: null,
      })
      .onConflict((oc) => oc.columns(['referrer_contact_id', 'campaign_id', 'milestone_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) continue;

    const coupon = milestone.coupon_pool
      ? await claimCoupon(ctx.trx, ctx.dialect, milestone.coupon_pool, rewardId, ctx.now)
      : null;
    const values = { friends: milestone.friends, name: referrer.displayName, coupon: coupon ?? '' };
    if (milestone.coupon_pool && !coupon) {
      ctx.logger.warn(
        { pool: milestone.coupon_pool, milestone: milestone.id, campaign: campaignId, rewardId },
        'referral reward is pending: the coupon pool is empty; load codes through POST /api/v1/referrals/coupons',
      );
      const pendingText = fillTemplate(
        pickLocalized(
          ctx.program.texts.reward_pending ?? BUILT_IN_TEXTS.reward_pending,
          referrer.locale,
          ctx.program.default_locale,
        ),
        values,
      );
      const outboxId = await enqueueRewardMessage(ctx, referrer, pendingText, rewardId);
      await ctx.trx
        .updateTable('referral_rewards')
        .set({ outbox_id: outboxId })
        .where('id', '=', rewardId)
        .execute();
      granted.push({ rewardId, milestoneId: milestone.id, status: 'pending', couponCode: null });
      continue;
    }
    const text = rewardText(ctx.program, milestone, referrer.locale, values);
    const outboxId = await enqueueRewardMessage(ctx, referrer, text, rewardId);
    await ctx.trx
      .updateTable('referral_rewards')
      .set({ status: 'sent', coupon_code: coupon, outbox_id: outboxId, fulfilled_at: ctx.now.getTime() })
      .where('id', '=', rewardId)
      .execute();
    granted.push({ rewardId, milestoneId: milestone.id, status: 'sent', couponCode: coupon });
  }
  return granted;
}

/**
 * Hands codes to rewards left pending by an empty pool, oldest first, one transaction each. Returns how many
 * were fulfilled; stops when the pool runs dry again.
 */
export async function fulfillPendingRewards(
  db: Kysely<CoreTables & ReferralTables>,
  dialect: StoreDialect,
  program: ReferralProgram,
  pool: string,
  logger: Logger,
  now: Date,
): Promise<number> {
  const pending = await db
    .selectFrom('referral_rewards')
    .selectAll()
    .where('status', '=', 'pending')
    .where('coupon_pool', '=', pool)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  let fulfilled = 0;
  for (const reward of pending) {
    const done = await db
      .transaction()
      .execute(async (trx) => {
        // Taking the reward first makes a concurrent fulfiller skip it (0 rows) instead of double-sending.
        const taken = await trx
          .updateTable('referral_rewards')
          .set({ status: 'sent', fulfilled_at: now.getTime() })
          .where('id', '=', reward.id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 0) return 'skipped' as const;
        const coupon = await claimCoupon(trx, dialect, pool, reward.id, now);
        if (!coupon) throw new PoolEmpty();
        const milestone = program.campaigns[reward.campaign_id]?.milestones.find(
          (m) => m.id === reward.milestone_id,
        );
        const referrer = await loadReferrer(trx, reward.referrer_contact_id);
        if (!milestone || !referrer) return 'skipped' as const;
        const ctx: RewardContext = { trx, dialect, program, logger, now };
        const text = rewardText(program, milestone, referrer.locale, {
          friends: milestone.friends,
          name: referrer.displayName,
          coupon,
        });
        const outboxId = await enqueueRewardMessage(ctx, referrer, text, reward.id);
        await trx
          .updateTable('referral_rewards')
          .set({ coupon_code: coupon, outbox_id: outboxId })
          .where('id', '=', reward.id)
          .execute();
        return 'fulfilled' as const;
      })
      .catch((error: unknown) => {
        if (error instanceof PoolEmpty) return 'empty' as const;
        throw error;
      });
    if (done === 'empty') break;
    if (done === 'fulfilled') fulfilled += 1;
  }
  return fulfilled;
}

class PoolEmpty extends Error {}
