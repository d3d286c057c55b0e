/** Staff accounts of the console: create, find, list, update. Roles: agent, supervisor, marketer, admin. */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type ConsoleUsersTable, withHandoffTables } from '../../features/handoff/tables.js';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.js';

export const ROLES = ['agent', 'supervisor', 'marketer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ConsoleUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  team: string | null;
  disabled: boolean;
  locale: string | null;
}

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('not a valid e-mail address'),
  displayName: z.string().trim().min(1).max(80),
  role: z.enum(ROLES),
  team: z.string().trim().min(1).max(60).nullable().default(null),
  password: z.string().min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`).max(200),
});
export type NewUser = z.input<typeof newUserSchema>;

export function userFromRow(row: ConsoleUsersTable): ConsoleUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: (ROLES as readonly string[]).includes(row.role) ? (row.role as Role) : 'agent',
    team: row.team,
    disabled: Number(row.disabled) === 1,
    locale: row.locale,
  };
}

export class DuplicateEmailError extends Error {
  constructor(email: string) {
    super(`a user with e-mail ${email} already exists`);
    this.name = 'DuplicateEmailError';
  }
}

export async function createUser(db: Kysely<CoreTables>, input: NewUser, now: Date): Promise<ConsoleUser> {
  const user = newUserSchema.parse(input);
  const hdb = withHandoffTables(db);
  const existing = await hdb
    .selectFrom('console_users')
    .select('id')
    .where('email', '=', user.email)
    .executeTakeFirst();
  if (existing) throw new DuplicateEmailError(user.email);
  const row: ConsoleUsersTable = {
    id: newId(now.getTime()),
    email: user.email,
    display_name: user.displayName,
    role: user.role,
    team: user.team,
    password_hash: await hashPassword(user.password),
    disabled: 0,
    locale: null,
    created_at: now.getTime(),
    updated_at: now.getTime(),
  };
  try {
    await hdb.insertInto('console_users').values(row).execute();
  } catch (error) {
    // A parallel insert of the same address lost the race on the unique index.
    if (/unique|duplicate/i.test(String(error))) throw new DuplicateEmailError(user.email);
    throw error;
  }
  return userFromRow(row);
}

export async function findUserRowByEmail(
  db: Kysely<CoreTables>,
  email: string,
): Promise<ConsoleUsersTable | null> {
  const row = await withHandoffTables(db)
    .selectFrom('console_users')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row ?? null;
}

export async function getUser(db: Kysely<CoreTables>, id: string): Promise<ConsoleUser | null> {
  const row = await withHandoffTables(db)
    .selectFrom('console_users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? userFromRow(row) : null;
}

export async function listUsers(db: Kysely<CoreTables>): Promise<ConsoleUser[]> {
  const rows = await withHandoffTables(db)
    .selectFrom('console_users')
    .selectAll()
    .orderBy('display_name')
    .execute();
  return rows.map(userFromRow);
}

export async function countUsers(db: Kysely<CoreTables>): Promise<number> {
  const row = await withHandoffTables(db)
    .selectFrom('console_users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export const userUpdateSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(80).optional(),
  role: z.enum(ROLES).optional(),
  team: z.string().trim().min(1).max(60).nullable().optional(),
  disabled: z.boolean().optional(),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(200).optional(),
});

export async function updateUser(
  db: Kysely<CoreTables>,
  id: string,
  change: z.infer<typeof userUpdateSchema>,
  now: Date,
): Promise<ConsoleUser | null> {
  const hdb = withHandoffTables(db);
  await hdb
    .updateTable('console_users')
    .set({
      ...(change.displayName !== undefined ? { display_name: change.displayName } : {}),
      ...(change.role !== undefined ? { role: change.role } : {}),
      ...(change.team !== undefined ? { team: change.team } : {}),
      ...(change.disabled !== undefined ? { disabled: change.disabled ? 1 : 0 } : {}),
      ...(change.password !== undefined ? { password_hash: await hashPassword(change.password) } : {}),
      updated_at: now.getTime(),
    })
    .where('id', '=', id)
    .execute();
  if (change.disabled || change.password !== undefined) {
    // A disabled account or a new password ends every open session of that account.
    await hdb.deleteFrom('console_sessions').where('user_id', '=', id).execute();
  }
  return getUser(db, id);
}

/** Start-up: the first admin from ADMIN_EMAIL/ADMIN_PASSWORD when there is no user yet. */
export async function ensureFirstAdmin(
  db: Kysely<CoreTables>,
  credentials: { email?: string | undefined; password?: string | undefined },
  now: Date,
): Promise<ConsoleUser | null> {
  if (!credentials.email || !credentials.password) return null;
  if ((await countUsers(db)) > 0) return null;
  try {
    return await createUser(
      db,
      { email: credentials.email, displayName: 'Admin', role: 'admin', password: credentials.password },
      now,
    );
  } catch (error) {
    if (error instanceof DuplicateEmailError) return null; // another instance created it at the same moment
    throw error;
  }
}
