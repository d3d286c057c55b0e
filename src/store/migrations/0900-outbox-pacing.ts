/**
 * The cluster-wide send schedule per channel: `next_at` is the earliest time (epoch ms, fractional) the next
 * send of that channel may go. Every instance reserves its slots here, so several instances together never
 * exceed a platform's rate.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('outbox_pacing')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('next_at', 'double precision', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('outbox_pacing').ifExists().execute();
}
