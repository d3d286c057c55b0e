/** Handoff sessions and the support console: staff accounts, sessions, login attempts, canned replies. */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('handoff_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    /** open while queued or owned by an agent; returned | closed afterwards. */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .addColumn('assigned_at', 'bigint')
    .addColumn('first_response_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('after_hours', 'integer', (c) => c.notNull().defaultTo(0))
    /** 1 once the customer was told "you are already waiting" (said at most once per session). */
    .addColumn('waiting_notice_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('handoff_sessions_conversation')
    .on('handoff_sessions')
    .columns(['conversation_id', 'state'])
    .execute();
  await db.schema
    .createIndex('handoff_sessions_queued')
    .on('handoff_sessions')
    .columns(['team', 'queued_at'])
    .execute();

  await db.schema
    .createTable('console_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locale', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('console_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_user').on('console_sessions').columns(['user_id']).execute();

  await db.schema
    .createTable('console_login_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** `ip:<address>` or `account:<email>`. */
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('console_login_attempts_subject')
    .on('console_login_attempts')
    .columns(['subject', 'created_at'])
    .execute();

  await db.schema
    .createTable('console_canned_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('console_canned_replies_shortcut')
    .on('console_canned_replies')
    .columns(['shortcut', 'locale'])
    .unique()
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'console_canned_replies',
    'console_login_attempts',
    'console_sessions',
    'console_users',
    'handoff_sessions',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
