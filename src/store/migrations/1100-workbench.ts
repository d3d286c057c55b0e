/** The workbench's file versions, for flow folders that are not a git checkout (see features/workbench). */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('workbench_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** Relative to FLOWS_DIR, e.g. welcome.yaml or faq/shop.yaml. */
    .addColumn('path', 'text', (c) => c.notNull())
    /** The whole file as saved; null when the save deleted it. */
    .addColumn('content', 'text')
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('author_name', 'text')
    .addColumn('author_email', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('workbench_versions_path')
    .on('workbench_versions')
    .columns(['path', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('workbench_versions').execute();
}
