/**
 * Console sessions: a random 32-byte token in an HTTP-only cookie, stored only as its SHA-256 hash, with an
 * idle and an absolute expiry, and a per-session CSRF token the SPA sends back in `X-CSRF-Token`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { withHandoffTables } from '../../features/handoff/tables.js';
import type { CoreTables } from '../../store/schema.js';
import { type ConsoleUser, userFromRow } from './users.js';

export const SESSION_COOKIE = 'plausch_console';
export const IDLE_TIMEOUT_MS = 12 * 3_600_000;
export const ABSOLUTE_TIMEOUT_MS = 7 * 24 * 3_600_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(
  db: Kysely<CoreTables>,
  userId: string,
  now: Date,
): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await withHandoffTables(db)
    .insertInto('console_sessions')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now.getTime(),
      last_seen_at: now.getTime(),
      expires_at: now.getTime() + ABSOLUTE_TIMEOUT_MS,
    })
    .execute();
  return { token, csrfToken };
}

export interface ActiveSession {
  tokenHash: string;
  csrfToken: string;
  user: ConsoleUser;
}

/** The session of a cookie token if it is live and its user enabled; touches `last_seen_at` (at most once a minute). */
export async function resolveSession(
  db: Kysely<CoreTables>,
  token: string,
  now: Date,
): Promise<ActiveSession | null> {
  const hdb = withHandoffTables(db);
  const tokenHash = hashToken(token);
  const row = await hdb
    .selectFrom('console_sessions')
    .innerJoin('console_users', 'console_users.id', 'console_sessions.user_id')
    .selectAll('console_users')
    .select(['console_sessions.csrf_token', 'console_sessions.last_seen_at', 'console_sessions.expires_at'])
    .where('console_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return null;
  const t = now.getTime();
  if (
    Number(row.expires_at) <= t ||
    Number(row.last_seen_at) + IDLE_TIMEOUT_MS <= t ||
    Number(row.disabled) === 1
  ) {
    await hdb.deleteFrom('console_sessions').where('token_hash', '=', tokenHash).execute();
    return null;
  }
  if (t - Number(row.last_seen_at) > 60_000) {
    await hdb
      .updateTable('console_sessions')
      .set({ last_seen_at: t })
      .where('token_hash', '=', tokenHash)
      .execute();
  }
  return { tokenHash, csrfToken: row.csrf_token, user: userFromRow(row) };
}

export async function deleteSession(db: Kysely<CoreTables>, tokenHash: string): Promise<void> {
  await withHandoffTables(db).deleteFrom('console_sessions').where('token_hash', '=', tokenHash).execute();
}

export function csrfTokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
