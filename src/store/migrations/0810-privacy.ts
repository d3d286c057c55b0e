/**
 * Erasure (GDPR art. 17) next to the append-only consent ledger: contacts get `erased_at`, and the ledger's
 * UPDATE trigger gets ONE narrowly scoped exception: an entry's `contact_id` may be replaced by its keyed-hash
 * pseudonym (`erased:<hex>`), once, with every other column unchanged. DELETE stays refused, so is any other
 * change, and so is a second pseudonymisation. Why this and not a separate identifier table: docs/privacy.md.
 */
import { type Kysely, PostgresAdapter, SqliteAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('erased_at', 'bigint').execute();

  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) {
    await sql`CREATE OR REPLACE FUNCTION plausch_consent_ledger_append_only() RETURNS trigger AS $$
      BEGIN
        IF TG_OP = 'UPDATE'
          AND OLD.contact_id NOT LIKE 'erased:%' AND NEW.contact_id LIKE 'erased:%'
          AND NEW.id = OLD.id AND NEW.channel = OLD.channel AND NEW.topic = OLD.topic
          AND NEW.action = OLD.action AND NEW.text IS NOT DISTINCT FROM OLD.text
          AND NEW.source = OLD.source AND NEW.created_at = OLD.created_at THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'newsletter_consent_ledger is append-only';
      END $$ LANGUAGE plpgsql`.execute(db);
  } else if (adapter instanceof SqliteAdapter) {
    await sql`DROP TRIGGER IF EXISTS newsletter_consent_ledger_no_update`.execute(db);
    await sql`CREATE TRIGGER newsletter_consent_ledger_no_update BEFORE UPDATE ON newsletter_consent_ledger
      WHEN NOT (OLD.contact_id NOT LIKE 'erased:%' AND NEW.contact_id LIKE 'erased:%'
        AND NEW.id = OLD.id AND NEW.channel = OLD.channel AND NEW.topic = OLD.topic
        AND NEW.action = OLD.action AND NEW.text IS OLD.text
        AND NEW.source = OLD.source AND NEW.created_at = OLD.created_at)
      BEGIN SELECT RAISE(ABORT, 'newsletter_consent_ledger is append-only'); END`.execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) {
    await sql`CREATE OR REPLACE FUNCTION plausch_consent_ledger_append_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'newsletter_consent_ledger is append-only'; END $$ LANGUAGE plpgsql`.execute(db);
  } else if (adapter instanceof SqliteAdapter) {
    await sql`DROP TRIGGER IF EXISTS newsletter_consent_ledger_no_update`.execute(db);
    await sql`CREATE TRIGGER newsletter_consent_ledger_no_update BEFORE UPDATE ON newsletter_consent_ledger
      BEGIN SELECT RAISE(ABORT, 'newsletter_consent_ledger is append-only'); END`.execute(db);
  }
  await db.schema.alterTable('contacts').dropColumn('erased_at').execute();
}
