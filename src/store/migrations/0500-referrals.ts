/** Referral programme tables: personal codes, clicks, attributions, milestone rewards, coupon pools, conversions. */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('referral_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('joined_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('referral_codes_code_unique', ['code'])
    .addUniqueConstraint('referral_codes_contact_campaign_unique', ['contact_id', 'campaign_id'])
    .execute();

  await db.schema
    .createTable('referral_clicks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('referrer_contact_id', 'text', (c) => c.notNull())
    .addColumn('referrer_channel', 'text', (c) => c.notNull())
    .addColumn('visitor_id', 'text')
    .addColumn('visitor_hash', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('referer', 'text')
    .addColumn('agent_class', 'text', (c) => c.notNull())
    .addColumn('is_bot', 'integer', (c) => c.notNull())
    .addColumn('is_unique', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('referral_clicks_code')
    .on('referral_clicks')
    .columns(['code_id', 'created_at'])
    .execute();
  await db.schema.createIndex('referral_clicks_time').on('referral_clicks').columns(['created_at']).execute();
  await db.schema
    .createIndex('referral_clicks_visitor')
    .on('referral_clicks')
    .columns(['visitor_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('referral_click_days')
    .addColumn('code_id', 'text', (c) => c.notNull())
    .addColumn('visitor_hash', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('referral_click_days_pk', ['code_id', 'visitor_hash', 'day'])
    .execute();

  await db.schema
    .createTable('referral_attributions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('referred_contact_id', 'text', (c) => c.notNull())
    .addColumn('code_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('referrer_contact_id', 'text', (c) => c.notNull())
    .addColumn('referrer_channel', 'text', (c) => c.notNull())
    .addColumn('referred_channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('referral_attributions_referred_unique', ['referred_contact_id'])
    .execute();
  await db.schema
    .createIndex('referral_attributions_code')
    .on('referral_attributions')
    .columns(['code_id', 'status'])
    .execute();
  await db.schema
    .createIndex('referral_attributions_time')
    .on('referral_attributions')
    .columns(['created_at'])
    .execute();

  await db.schema
    .createTable('referral_rewards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('referrer_contact_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('milestone_id', 'text', (c) => c.notNull())
    .addColumn('friends', 'integer', (c) => c.notNull())
    .addColumn('coupon_pool', 'text')
    .addColumn('coupon_code', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('outbox_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('fulfilled_at', 'bigint')
    .addUniqueConstraint('referral_rewards_once', ['referrer_contact_id', 'campaign_id', 'milestone_id'])
    .execute();
  await db.schema
    .createIndex('referral_rewards_status')
    .on('referral_rewards')
    .columns(['status', 'created_at'])
    .execute();

  await db.schema
    .createTable('referral_coupons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('reward_id', 'text')
    .addColumn('assigned_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('referral_coupons_pool_code_unique', ['pool', 'code'])
    .addUniqueConstraint('referral_coupons_reward_unique', ['reward_id'])
    .execute();
  await db.schema
    .createIndex('referral_coupons_free')
    .on('referral_coupons')
    .columns(['pool', 'reward_id', 'id'])
    .execute();

  await db.schema
    .createTable('referral_conversions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('code_id', 'text')
    .addColumn('campaign_id', 'text')
    .addColumn('referrer_contact_id', 'text')
    .addColumn('referrer_channel', 'text')
    .addColumn('visitor_id', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('country', 'text')
    .addColumn('value_minor', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('referral_conversions_order_unique', ['order_id'])
    .execute();
  await db.schema
    .createIndex('referral_conversions_code')
    .on('referral_conversions')
    .columns(['code_id', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'referral_conversions',
    'referral_coupons',
    'referral_rewards',
    'referral_attributions',
    'referral_click_days',
    'referral_clicks',
    'referral_codes',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
