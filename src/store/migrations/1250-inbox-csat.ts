/** CSAT: the rating question after a conversation with a person, one row per handoff session. */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('csat_surveys')
    /** The handoff session asked about: the primary key is what makes "asked at most once" hold. */
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('team', 'text')
    /** five | thumbs (thumbs are stored as 5 / 1). */
    .addColumn('scale', 'text', (c) => c.notNull())
    .addColumn('asked_at', 'bigint', (c) => c.notNull())
    /** After this a typed digit is an ordinary message again. */
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('score', 'integer')
    .addColumn('answered_at', 'bigint')
    .addColumn('comment', 'text')
    /** Until then the customer's next message is the comment to the rating. */
    .addColumn('comment_until', 'bigint')
    .execute();
  await db.schema
    .createIndex('csat_surveys_conversation')
    .on('csat_surveys')
    .columns(['conversation_id', 'asked_at'])
    .execute();
  await db.schema.createIndex('csat_surveys_asked').on('csat_surveys').columns(['asked_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('csat_surveys').ifExists().execute();
}
