/**
 * Contacts in the inbox: the name an agent gives a contact (wins over the platform's, which may be missing —
 * web-chat visitors — or a nickname), and which shipped canned replies were already seeded (so a reply a
 * supervisor deleted does not come back at the next start).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('agent_name', 'text').execute();
  await db.schema
    .createTable('canned_reply_seeds')
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('seeded_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('canned_reply_seeds_pk', ['shortcut', 'locale'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('canned_reply_seeds').ifExists().execute();
  await db.schema.alterTable('contacts').dropColumn('agent_name').execute();
}
