/**
 * Inbound events that could never be understood or recorded (malformed update, text over the limit, NUL in an
 * id, JSON nested too deep): kept for operators instead of being retried forever or dropped without trace.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('inbound_dead_letters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    /** The platform's id of the event when it could be read (update_id, wamid, activity id), else null. */
    .addColumn('native_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    /** The raw payload as received, truncated (see dead-letters.ts for the limit); NUL bytes escaped. */
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('payload_bytes', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inbound_dead_letters_received')
    .on('inbound_dead_letters')
    .columns(['received_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('inbound_dead_letters').ifExists().execute();
}
