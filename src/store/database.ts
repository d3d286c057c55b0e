/**
 * Opens the store: embedded SQLite (default) or PostgreSQL, behind one Kysely query layer.
 * Timestamps are epoch milliseconds and JSON is text in both dialects, so every query runs unchanged on both.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { type CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { CoreTables } from './schema.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export type StoreDialect = 'sqlite' | 'postgres';

/** How long one SQLite statement may block the event loop waiting for another process's write lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 100;

export interface Store {
  db: Kysely<CoreTables>;
  dialect: StoreDialect;
  /** Where the data lives, for logs: a file path or a connection URL without its password. */
  description: string;
  /** A pool for PostgreSQL-only features (LISTEN/NOTIFY); absent on SQLite. */
  pgPool?: pg.Pool;
  /**
   * Runs one autocommit write at once, ahead of the work queued on `db` (SQLite: the one connection's
   * queue; PostgreSQL: a pool busy with turns and locks). For results that must be on disk as soon as
   * they are known, such as "the platform accepted this send". Returns the number of changed rows.
   */
  writeNow(query: CompiledQuery): Promise<number>;
  /** SQLite: the database file as opened, to notice it being deleted or replaced while running. */
  file?: { path: string; dev: number; ino: number };
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
  // WAL lets readers proceed during a write. busy_timeout makes a write wait for another connection's
  // write lock, but better-sqlite3 waits synchronously, freezing the event loop (HTTP, timers) meanwhile:
  // keep it short. A write that still finds the file locked fails; its caller retries later (webhooks
  // answer 5xx and are redelivered, the outbox and the runtime retry) and /readyz reports it.
  database.pragma('journal_mode = WAL');
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  // An erasure must not leave the person's bytes in free pages: secure_delete zeroes the space of every
  // deleted or overwritten value (the WAL still holds old page images until checkpointWal runs).
  database.pragma('secure_delete = ON');
  const db = new Kysely<CoreTables>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  });
  return {
    db,
    dialect: 'sqlite',
    description: fullPath,
    writeNow: (query) => sqliteWriteNow(database, query),
    ...(inMemory ? {} : { file: fileIdentity(fullPath) }),
    close: () => db.destroy(),
  };
}

/**
 * SQLite: copies the write-ahead log into the database file and truncates it to zero bytes, so the old page
 * images an erasure or retention purge just overwrote are gone from the WAL too (see docs/privacy.md).
 * Returns false when a reader still held old pages and the log could not be emptied; PostgreSQL: no-op.
 */
export async function checkpointWal(store: Store): Promise<boolean> {
  if (store.dialect !== 'sqlite') return true;
  const result = await sql<{ busy: number; log: number; checkpointed: number }>`
    PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
  return (result.rows[0]?.busy ?? 0) === 0;
}

function fileIdentity(path: string): { path: string; dev: number; ino: number } {
  const stat = statSync(path);
  return { path, dev: stat.dev, ino: stat.ino };
}

/**
 * better-sqlite3 is synchronous, so a statement outside a transaction can run on the same connection
 * right now without waiting for Kysely's queue. Only an open transaction (which would swallow the
 * write) makes it wait, and only until that transaction ends: transactions here are short.
 */
async function sqliteWriteNow(database: SQLite.Database, query: CompiledQuery): Promise<number> {
  for (let waited = 0; database.inTransaction; waited += 1) {
    await new Promise((resolve) => (waited < 20 ? setImmediate(resolve) : setTimeout(resolve, 1)));
  }
  const result = database.prepare(query.sql).run(...(query.parameters as unknown[]));
  return result.changes;
}

function openPostgres(url: string, options: OpenStoreOptions): Store {
  const pool = new pg.Pool({
    connectionString: url,
    // Half of the pool serves conversation locks (see ConversationRuntime), half the queries.
    max: options.poolSize ?? 16,
    ...(options.postgresSchema ? { options: `-c search_path=${options.postgresSchema}` } : {}),
  });
  // A client that loses its connection emits 'error'; without a listener that crashes the process. The pool
  // listens on idle clients only, so a client checked out (a transaction between two queries, a turn's
  // advisory-lock session) must listen too: its queries fail (callers retry) and the pool drops it on release.
  guardClients(pool);
  const db = new Kysely<CoreTables>({ dialect: new PostgresDialect({ pool }) });
  // Its own small pool: never waits for a connection held by a turn, an advisory lock or a LISTEN.
  const fastLane = new pg.Pool({
    connectionString: url,
    max: 2,
    ...(options.postgresSchema ? { options: `-c search_path=${options.postgresSchema}` } : {}),
  });
  guardClients(fastLane);
  return {
    db,
    dialect: 'postgres',
    // The schema is part of where the data lives (several Plausch databases may share one PostgreSQL database).
    description: options.postgresSchema
      ? `${redactUrl(url)} (schema ${options.postgresSchema})`
      : redactUrl(url),
    pgPool: pool,
    writeNow: async (query) => {
      const result = await fastLane.query(query.sql, query.parameters as unknown[]);
      return result.rowCount ?? 0;
    },
    close: async () => {
      await db.destroy();
      await fastLane.end();
    },
  };
}

/** See openPostgres: a database restart or failover must fail queries, never the process. */
function guardClients(pool: pg.Pool): void {
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
