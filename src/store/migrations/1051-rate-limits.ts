/**
 * Hits per client and minute on the public endpoints, shared by every instance on the database (see
 * src/http/shared-rate-limit.ts). The key is a hash of the endpoint group and the client address: no
 * address is stored. Rows older than two windows are deleted as new ones arrive.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a database whose type they are creating
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('rate_limit_hits')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_hits_pk', ['key', 'window_start'])
    .execute();
  await db.schema
    .createIndex('rate_limit_hits_window')
    .on('rate_limit_hits')
    .columns(['window_start'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('rate_limit_hits').ifExists().execute();
}
