/**
 * Results for marketers: the region next to the country of referral clicks and conversions, an anonymous log
 * of action outcomes (FAQ answered / asked back / declined, "did that help?"), and .ics downloads per event.
 * Neither new table holds a contact id: they are aggregates that survive an erasure unchanged.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('referral_clicks').addColumn('region', 'text').execute();
  await db.schema.alterTable('referral_conversions').addColumn('region', 'text').execute();

  await db.schema
    .createTable('insight_action_outcomes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('insight_action_outcomes_time')
    .on('insight_action_outcomes')
    .columns(['action', 'created_at'])
    .execute();

  await db.schema
    .createTable('event_ics_downloads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('event_ics_downloads_event')
    .on('event_ics_downloads')
    .columns(['event_id', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('event_ics_downloads').ifExists().execute();
  await db.schema.dropTable('insight_action_outcomes').ifExists().execute();
  await db.schema.alterTable('referral_conversions').dropColumn('region').execute();
  await db.schema.alterTable('referral_clicks').dropColumn('region').execute();
}
