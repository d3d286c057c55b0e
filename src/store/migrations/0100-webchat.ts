/** Web chat: bot replies per browser session, kept so a reconnecting widget replays what it missed. */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('webchat_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    // Per-session sequence: the SSE event id and the Last-Event-ID a reconnect resumes after.
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('webchat_events_session_seq_unique', ['session_id', 'seq'])
    .execute();
  await db.schema.createIndex('webchat_events_created').on('webchat_events').column('created_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('webchat_events').execute();
}
