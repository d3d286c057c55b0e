/** Brings a store's schema up to date; runs at start-up and from `plausch db migrate`. */
import { type MigrationResultSet, Migrator, sql } from 'kysely';
import type { Store } from './database.js';
import { migrations } from './migrations/index.js';

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(store: Store): Promise<MigrationReport> {
  // Kysely looks for its bookkeeping tables in any schema on PostgreSQL; pin them to ours, or a second
  // deployment (or test) in another schema of the same database would make it skip creating them.
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    // Several instances may start at once on PostgreSQL; Kysely takes a lock so only one migrates.
    migrationTableName: 'plausch_migrations',
    migrationLockTableName: 'plausch_migrations_lock',
    // Each feature numbers its migrations in its own range, so a release can add one below a range that a
    // database has already run (e.g. 0710 after 0900): run whatever is missing instead of refusing.
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`database migration ${failed} failed: ${cause}`);
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
