/**
 * Every workbench save, for the other instances on the same database (see features/workbench/sync.ts):
 * one row per saved revision of a path. The primary key (path, rev) is the cluster-wide conflict check:
 * a save claims rev = the last revision its instance knew + 1, so two saves from the same state cannot
 * both land.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('workbench_saves')
    /** Relative to FLOWS_DIR, e.g. welcome.yaml or faq/shop.yaml. */
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('rev', 'integer', (c) => c.notNull())
    /** The file's hash before the save (contentHash; 'absent' for a new file). */
    .addColumn('base_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    /** The whole file as saved; null when the save deleted it. */
    .addColumn('content', 'text')
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text')
    .addColumn('author_email', 'text')
    /** The version message, so an instance whose flows are a git checkout commits the save the same way. */
    .addColumn('message', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('workbench_saves_pk', ['path', 'rev'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('workbench_saves').ifExists().execute();
}
