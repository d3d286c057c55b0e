/** Runtime indexes and the outbox's `held_by`: which guard holds a row, so a reopened window releases only its own holds. */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('held_by', 'text').execute();
  // The claim query checks "another row of this chat in flight or older" for every candidate.
  await db.schema
    .createIndex('outbox_chat')
    .on('outbox')
    .columns(['contact_id', 'channel', 'status'])
    .execute();
  // The conversation worker takes the oldest pending event of one conversation.
  await db.schema
    .createIndex('inbound_events_conversation')
    .on('inbound_events')
    .columns(['conversation_id', 'status', 'received_at'])
    .execute();
  await db.schema.createIndex('messages_outbox').on('messages').columns(['outbox_id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('messages_outbox').ifExists().execute();
  await db.schema.dropIndex('inbound_events_conversation').ifExists().execute();
  await db.schema.dropIndex('outbox_chat').ifExists().execute();
  await db.schema.alterTable('outbox').dropColumn('held_by').execute();
}
