/**
 * Cross-instance exclusion for one conversation. On PostgreSQL a session advisory lock on a dedicated pool
 * client, keyed by a hash of the conversation id, so two instances never process the same conversation at once.
 * On SQLite there is one process per database file, so the in-process mutex alone suffices.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

export interface ConversationLock {
  /** Runs `task` while holding the conversation's lock across instances. */
  withLock<T>(conversationId: string, task: () => Promise<T>): Promise<T>;
}

export const noCrossInstanceLock: ConversationLock = {
  withLock: (_id, task) => task(),
};

/** Two signed 32-bit ints from the id's SHA-1: the two-key form of pg_advisory_lock, namespaced away from others. */
export function advisoryLockKeys(conversationId: string): [number, number] {
  const digest = createHash('sha1').update(`plausch:conversation:${conversationId}`).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

export class PostgresAdvisoryLock implements ConversationLock {
  constructor(private readonly pool: pg.Pool) {}

  async withLock<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    const [high, low] = advisoryLockKeys(conversationId);
    const client = await this.pool.connect();
    let healthy = true;
    try {
      try {
        await client.query('SELECT pg_advisory_lock($1, $2)', [high, low]);
      } catch (error) {
        healthy = false;
        throw error;
      }
      try {
        return await task();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [high, low]).catch(() => {
          healthy = false;
        });
      }
    } finally {
      // A client whose lock state is unknown is destroyed: the server then drops its session locks.
      client.release(healthy ? undefined : true);
    }
  }
}
