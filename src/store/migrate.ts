/** Brings a store's schema up to date; runs at start-up and from `plausch db migrate`. */
import { type MigrationResultSet, Migrator, sql } from 'kysely';
import type { Store } from './database.js';
import { migrations } from './migrations/index.js';

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(store: Store): Promise<MigrationReport> {
  const { migrator, schema } = await migratorFor(store);
  const result = await migrateRetryingForeignSchemaRaces(migrator, schema);
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`database migration ${failed} failed: ${cause}`);
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}

/** Names of the migrations this release has that the database has not run yet (reads only). */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const { migrator } = await migratorFor(store);
  const known = await migrator.getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

async function migratorFor(store: Store): Promise<{ migrator: Migrator; schema: string | undefined }> {
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
  return { migrator, schema };
}

/**
 * Kysely's migrator introspects every schema of the database to find its bookkeeping tables. When another
 * schema (another deployment's, or another test's) is dropped at that moment, PostgreSQL fails the whole
 * introspection query with "schema … does not exist" / "relation … does not exist" although nothing of ours is
 * missing. Such a failure happens before any migration ran (the migrations run in one transaction), so running
 * again is safe; an error naming our own schema is real and is not retried.
 */
async function migrateRetryingForeignSchemaRaces(
  migrator: Migrator,
  ownSchema: string | undefined,
): Promise<MigrationResultSet> {
  for (let attempt = 1; ; attempt += 1) {
    const result = await migrator.migrateToLatest();
    if (!result.error || attempt >= 5 || !isForeignSchemaRace(result.error, ownSchema)) return result;
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
  }
}

export function isForeignSchemaRace(error: unknown, ownSchema: string | undefined): boolean {
  if (!ownSchema || typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== '3F000' && code !== '42P01') return false;
  const named = typeof message === 'string' ? /"([^".]+)(?:\.[^"]*)?"/.exec(message)?.[1] : undefined;
  return named !== undefined && named !== ownSchema;
}
