/**
 * Login rate limit that holds across instances: attempts are rows in the database, counted per IP and per
 * account within a window. Too many → the login is refused before the password is even checked.
 *
 * Check and count are one step: `reserveLoginAttempt` counts and inserts the attempt in one transaction
 * (serialized per subject with an advisory lock on PostgreSQL; SQLite runs one transaction at a time), before
 * the slow password check. Checking first and recording the failure after scrypt let 40 parallel guesses all
 * pass the check. A successful sign-in then withdraws its reservation.
 */
import { type Kysely, sql } from 'kysely';
import { withHandoffTables } from '../../features/handoff/tables.js';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';

export interface LoginThrottleLimits {
  windowMs: number;
  perIp: number;
  perAccount: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = { windowMs: 15 * 60_000, perIp: 20, perAccount: 5 };

const subjects = (ip: string, email: string) =>
  [`ip:${ip}`, `account:${email.trim().toLowerCase()}`] as const;

/** Seconds until the next attempt is allowed, or 0 when it is allowed now. */
export async function loginBlockedFor(
  db: Kysely<CoreTables>,
  ip: string,
  email: string,
  limits: LoginThrottleLimits,
  now: Date,
): Promise<number> {
  const [ipSubject, accountSubject] = subjects(ip, email);
  const since = now.getTime() - limits.windowMs;
  const rows = await withHandoffTables(db)
    .selectFrom('console_login_attempts')
    .select([
      'subject',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.min('created_at').as('oldest'),
    ])
    .where('subject', 'in', [ipSubject, accountSubject])
    .where('created_at', '>', since)
    .groupBy('subject')
    .execute();
  let wait = 0;
  for (const row of rows) {
    const limit = row.subject === ipSubject ? limits.perIp : limits.perAccount;
    if (Number(row.n) >= limit)
      wait = Math.max(wait, Math.ceil((Number(row.oldest) + limits.windowMs - now.getTime()) / 1000));
  }
  return wait;
}

export type LoginReservation =
  | { allowed: true; ids: string[] }
  | { allowed: false; retryAfterSeconds: number };

/** Counts this attempt against both limits, atomically; refused attempts are not counted. */
export async function reserveLoginAttempt(
  store: Store,
  ip: string,
  email: string,
  limits: LoginThrottleLimits,
  now: Date,
): Promise<LoginReservation> {
  return store.db.transaction().execute(async (trx) => {
    if (store.dialect === 'postgres') {
      // Sorted, so two transactions never wait for each other's second lock (no deadlock).
      for (const subject of [...subjects(ip, email)].sort()) {
        await sql`select pg_advisory_xact_lock(hashtext(${`plausch-login:${subject}`}))`.execute(trx);
      }
    }
    const wait = await loginBlockedFor(trx, ip, email, limits, now);
    if (wait > 0) return { allowed: false, retryAfterSeconds: wait };
    const ids = await insertAttempts(trx, ip, email, now);
    // Keep the table small: attempts older than a day count for nothing.
    await withHandoffTables(trx)
      .deleteFrom('console_login_attempts')
      .where('created_at', '<', now.getTime() - 86_400_000)
      .execute();
    return { allowed: true, ids };
  });
}

/** The sign-in succeeded: its reservation does not count as a failure, and the account's failures are forgiven. */
export async function withdrawLoginAttempt(
  db: Kysely<CoreTables>,
  ids: string[],
  email: string,
): Promise<void> {
  if (ids.length > 0)
    await withHandoffTables(db).deleteFrom('console_login_attempts').where('id', 'in', ids).execute();
  await clearFailedLogins(db, email);
}

async function insertAttempts(
  db: Kysely<CoreTables>,
  ip: string,
  email: string,
  now: Date,
): Promise<string[]> {
  const rows = subjects(ip, email).map((subject) => ({
    id: newId(now.getTime()),
    subject,
    created_at: now.getTime(),
  }));
  await withHandoffTables(db).insertInto('console_login_attempts').values(rows).execute();
  return rows.map((row) => row.id);
}

export async function clearFailedLogins(db: Kysely<CoreTables>, email: string): Promise<void> {
  await withHandoffTables(db)
    .deleteFrom('console_login_attempts')
    .where('subject', '=', `account:${email.trim().toLowerCase()}`)
    .execute();
}
