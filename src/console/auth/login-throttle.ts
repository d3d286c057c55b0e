/**
 * Login rate limit that holds across instances: failed attempts are rows in the database, counted per IP and
 * per account within a window. Too many → the login is refused before the password is even checked.
 */
import type { Kysely } from 'kysely';
import { withHandoffTables } from '../../features/handoff/tables.js';
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

export async function recordFailedLogin(
  db: Kysely<CoreTables>,
  ip: string,
  email: string,
  now: Date,
): Promise<void> {
  const hdb = withHandoffTables(db);
  await hdb
    .insertInto('console_login_attempts')
    .values(
      subjects(ip, email).map((subject) => ({
        id: newId(now.getTime()),
        subject,
        created_at: now.getTime(),
      })),
    )
    .execute();
  // Keep the table small: attempts older than a day count for nothing.
  await hdb
    .deleteFrom('console_login_attempts')
    .where('created_at', '<', now.getTime() - 86_400_000)
    .execute();
}

export async function clearFailedLogins(db: Kysely<CoreTables>, email: string): Promise<void> {
  await withHandoffTables(db)
    .deleteFrom('console_login_attempts')
    .where('subject', '=', `account:${email.trim().toLowerCase()}`)
    .execute();
}
