/**
 * A better-sqlite3 database as Kysely's SqliteDialect sees it, but with prepared statements reused.
 * Kysely prepares every query anew; preparing is most of the CPU of a small SQLite query, and the hot path
 * runs the same few dozen statements over and over. Kysely's driver runs one query at a time on the
 * connection, so a cached statement is never used by two queries at once.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct statements kept; the hot path needs far fewer, ad-hoc console queries evict each other. */
const DEFAULT_CAPACITY = 500;

export function withStatementCache(
  database: BetterSqlite3.Database,
  capacity = DEFAULT_CAPACITY,
): SqliteDatabase {
  // Map keeps insertion order: re-inserting on use makes the first key the least recently used.
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (cache.size >= capacity) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(sql, statement);
      return statement as unknown as SqliteStatement;
    },
  };
}
