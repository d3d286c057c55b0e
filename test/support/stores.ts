/**
 * Runs store-backed tests on both dialects: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.
 * Each opened store lives in its own temporary SQLite file or PostgreSQL schema, so test files run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store, type StoreDialect } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';

export const postgresUrl = process.env.TEST_DATABASE_URL?.trim() ?? '';

export const dialectsUnderTest: StoreDialect[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestStoreHandle {
  /** Opens (another) connection to the same database, as a second instance or a restarted process would. */
  open(): Promise<Store>;
  /** Drops the database or schema and closes every store opened through this handle. */
  dispose(): Promise<void>;
  /** DATABASE_URL / SQLITE_PATH pointing a `plausch serve` child process at the same database. */
  env: Record<string, string>;
}

/** Creates an empty, migrated database of the given dialect. */
export async function createTestDatabase(dialect: StoreDialect): Promise<TestStoreHandle> {
  const opened: Store[] = [];
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'plausch-test-'));
    const path = join(dir, 'test.sqlite');
    const open = async () => {
      const store = openStore({ databaseUrl: '', sqlitePath: path });
      await migrateToLatest(store);
      opened.push(store);
      return store;
    };
    return {
      open,
      dispose: async () => {
        await Promise.all(opened.map((s) => s.close()));
        rmSync(dir, { recursive: true, force: true });
      },
      env: { DATABASE_URL: '', SQLITE_PATH: path },
    };
  }
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const open = async () => {
    const store = openStore({
      databaseUrl: postgresUrl,
      sqlitePath: '',
      postgresSchema: schema,
      poolSize: 5,
    });
    await migrateToLatest(store);
    opened.push(store);
    return store;
  };
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    open,
    env: { DATABASE_URL: url.toString() },
    dispose: async () => {
      await Promise.all(opened.map((s) => s.close()));
      const cleanup = new pg.Client({ connectionString: postgresUrl });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

let warned = false;
/** Says once per test file that the PostgreSQL half was skipped, so a green run never hides it. */
export function notePostgresSkipped(): void {
  if (!postgresUrl && !warned) {
    warned = true;
    console.warn('PostgreSQL store tests skipped: set TEST_DATABASE_URL=postgres://… to run them (CI does).');
  }
}
