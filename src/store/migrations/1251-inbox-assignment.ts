/** Assignment rules: whether an agent is away, and when they last got a chat automatically (round-robin). */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('agent_presence')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    /** available | away; an agent without a row is available. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    /** The round-robin turn: who waited longest since their last automatic assignment goes next. */
    .addColumn('last_assigned_at', 'bigint')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('agent_presence').ifExists().execute();
}
