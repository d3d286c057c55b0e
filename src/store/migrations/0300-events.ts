/** Event notices: events (from flows/events/*.yaml and the API) and the reminders people asked for. */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('start_local', 'text', (c) => c.notNull())
    .addColumn('end_local', 'text')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint')
    .addColumn('place', 'text')
    .addColumn('online_url', 'text')
    .addColumn('topic', 'text')
    .addColumn('reminders', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('events_upcoming').on('events').columns(['status', 'starts_at']).execute();

  await db.schema
    .createTable('event_reminders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('offset', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('outbox_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addUniqueConstraint('event_reminders_once', ['event_id', 'contact_id', 'offset'])
    .execute();
  await db.schema
    .createIndex('event_reminders_due')
    .on('event_reminders')
    .columns(['status', 'due_at'])
    .execute();
  await db.schema
    .createIndex('event_reminders_contact')
    .on('event_reminders')
    .columns(['contact_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('event_reminders').ifExists().execute();
  await db.schema.dropTable('events').ifExists().execute();
}
