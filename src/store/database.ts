/**
 * Opens the store: embedded SQLite (default) or PostgreSQL, behind one Kysely query layer.
 * Timestamps are epoch milliseconds and JSON is text in both dialects, so every query runs unchanged on both.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { CoreTables } from './schema.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<CoreTables>;
  dialect: StoreDialect;
  /** Where the data lives, for logs: a file path or a connection URL without its password. */
  description: string;
  /** A pool for PostgreSQL-only features (LISTEN/NOTIFY); absent on SQLite. */
  pgPool?: pg.Pool;
  close(): Promise<void>;
}

// int8 (bigint) and numeric come back as strings by default; our bigints are epoch ms and counters.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(1700, (value) => Number.parseFloat(value));

export interface OpenStoreOptions {
  /** Empty = SQLite file at `sqlitePath`; `postgres://…` = PostgreSQL. */
  databaseUrl: string;
  sqlitePath: string;
  /** PostgreSQL schema to use (tests isolate themselves in their own schema). */
  postgresSchema?: string;
  poolSize?: number;
}

export function openStore(options: OpenStoreOptions): Store {
  const url = options.databaseUrl.trim();
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return openPostgres(url, options);
  }
  if (url !== '' && !url.startsWith('sqlite:') && !url.startsWith('file:')) {
    throw new Error(
      `DATABASE_URL must be empty (SQLite), sqlite:<path> or postgres://…; got "${redactUrl(url)}"`,
    );
  }
  const path = url === '' ? options.sqlitePath : url.replace(/^(sqlite|file):(\/\/)?/, '');
  return openSqlite(path);
}

function openSqlite(path: string): Store {
  const inMemory = path === ':memory:';
  const fullPath = inMemory ? path : resolve(path);
  if (!inMemory) mkdirSync(dirname(fullPath), { recursive: true });
  const database = new SQLite(fullPath);
  // WAL lets readers proceed during a write; busy_timeout waits instead of failing when another connection writes.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<CoreTables>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  });
  return {
    db,
    dialect: 'sqlite',
    description: fullPath,
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, options: OpenStoreOptions): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.postgresSchema ? { options: `-c search_path=${options.postgresSchema}` } : {}),
  });
  // An idle client that loses its connection emits 'error'; without a listener that would crash the process.
  pool.on('error', () => {});
  const db = new Kysely<CoreTables>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    description: redactUrl(url),
    pgPool: pool,
    close: () => db.destroy(),
  };
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
