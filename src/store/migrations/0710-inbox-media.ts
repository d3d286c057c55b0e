/** Inbox media: files agents upload and customers' photos, voice notes and files fetched from a channel. */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? sql`bytea` : sql`blob`;
  await db.schema
    .createTable('media_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** Random; part of the public URL channels and the web chat fetch an agent's upload from. */
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    /** upload (an agent's file) | channel (a customer's file, fetched once through the channel's media API). */
    .addColumn('origin', 'text', (c) => c.notNull())
    /** `<channel>:<platform media id>` for fetched files: the cache key. */
    .addColumn('channel_key', 'text', (c) => c.unique())
    .addColumn('file_name', 'text')
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('content', bytes, (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('media_files_conversation')
    .on('media_files')
    .columns(['conversation_id', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('media_files').ifExists().execute();
}
