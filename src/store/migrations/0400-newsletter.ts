/**
 * Opt-in newsletters: the append-only consent ledger, the subscriptions derived from it, broadcasts,
 * their recipients (one row per person: the fan-out's exactly-once key) and button clicks.
 */
import { type Kysely, PostgresAdapter, SqliteAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('newsletter_consent_ledger')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('newsletter_ledger_contact')
    .on('newsletter_consent_ledger')
    .columns(['contact_id', 'topic', 'created_at'])
    .execute();
  await db.schema
    .createIndex('newsletter_ledger_action')
    .on('newsletter_consent_ledger')
    .columns(['action', 'topic', 'created_at'])
    .execute();

  // The ledger is evidence: the database itself refuses to change or remove an entry.
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) {
    await sql`CREATE OR REPLACE FUNCTION plausch_consent_ledger_append_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'newsletter_consent_ledger is append-only'; END $$ LANGUAGE plpgsql`.execute(db);
    await sql`CREATE TRIGGER newsletter_consent_ledger_append_only BEFORE UPDATE OR DELETE ON newsletter_consent_ledger
      FOR EACH ROW EXECUTE FUNCTION plausch_consent_ledger_append_only()`.execute(db);
  } else if (adapter instanceof SqliteAdapter) {
    await sql`CREATE TRIGGER newsletter_consent_ledger_no_update BEFORE UPDATE ON newsletter_consent_ledger
      BEGIN SELECT RAISE(ABORT, 'newsletter_consent_ledger is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER newsletter_consent_ledger_no_delete BEFORE DELETE ON newsletter_consent_ledger
      BEGIN SELECT RAISE(ABORT, 'newsletter_consent_ledger is append-only'); END`.execute(db);
  }

  await db.schema
    .createTable('newsletter_subscriptions')
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint')
    .addColumn('confirmed_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('newsletter_subscriptions_pk', ['contact_id', 'topic'])
    .execute();
  await db.schema
    .createIndex('newsletter_subscriptions_topic')
    .on('newsletter_subscriptions')
    .columns(['topic', 'status', 'contact_id'])
    .execute();

  await db.schema
    .createTable('newsletter_broadcasts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('scheduled_at', 'bigint')
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .addColumn('fanout_cursor', 'text')
    .addColumn('recipient_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('newsletter_broadcasts_due')
    .on('newsletter_broadcasts')
    .columns(['status', 'scheduled_at'])
    .execute();

  await db.schema
    .createTable('newsletter_broadcast_recipients')
    .addColumn('broadcast_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('newsletter_broadcast_recipients_pk', ['broadcast_id', 'contact_id'])
    .execute();
  await db.schema
    .createIndex('newsletter_broadcast_recipients_contact')
    .on('newsletter_broadcast_recipients')
    .columns(['contact_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('newsletter_broadcast_clicks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('broadcast_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('newsletter_broadcast_clicks_broadcast')
    .on('newsletter_broadcast_clicks')
    .columns(['broadcast_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'newsletter_broadcast_clicks',
    'newsletter_broadcast_recipients',
    'newsletter_broadcasts',
    'newsletter_subscriptions',
    'newsletter_consent_ledger',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`DROP FUNCTION IF EXISTS plausch_consent_ledger_append_only()`.execute(db);
  }
}
