/** The unanswered-question log of the FAQ feature. */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('faq_unanswered')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('text', 'text', (c) => c.notNull())
    /** Normalized text: the same question asked twice counts as one row with two asks. */
    .addColumn('normalized', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('best_score', 'real', (c) => c.notNull())
    .addColumn('asked_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('faq_unanswered_normalized')
    .on('faq_unanswered')
    .columns(['normalized'])
    .execute();
  await db.schema.createIndex('faq_unanswered_asked').on('faq_unanswered').columns(['asked_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('faq_unanswered').ifExists().execute();
}
