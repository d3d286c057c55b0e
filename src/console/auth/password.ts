/**
 * Password hashing with scrypt (N=2^15 by default, r=8, p=1, 16-byte salt per user). The parameters are stored
 * with the hash (`scrypt$N$r$p$salt$hash`), so the cost can be raised later without breaking existing
 * accounts; verification always uses the stored ones.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const DEFAULT_PASSWORD_HASH_COST = 15;
/** Below 2^10 scrypt protects nothing; above 2^20 one sign-in takes seconds and 1 GiB. */
export const PASSWORD_HASH_COST_RANGE = { min: 10, max: 20 } as const;

const DEFAULTS = { N: 2 ** DEFAULT_PASSWORD_HASH_COST, r: 8, p: 1, keyLength: 32 };
/** Made at the current cost on first use (see dummyPasswordHash). */
let dummyHash: Promise<string> | null = null;

/**
 * Sets the cost (log2 N) of hashes made from now on: PASSWORD_HASH_COST in production, a cheap 10 in tests so
 * a suite of sign-ins does not spend its time in scrypt on a busy machine.
 */
export function setPasswordHashCost(logN: number): void {
  if (!Number.isInteger(logN) || logN < PASSWORD_HASH_COST_RANGE.min || logN > PASSWORD_HASH_COST_RANGE.max) {
    throw new RangeError(
      `password hash cost must be an integer from ${PASSWORD_HASH_COST_RANGE.min} to ${PASSWORD_HASH_COST_RANGE.max}`,
    );
  }
  if (DEFAULTS.N !== 2 ** logN) dummyHash = null;
  DEFAULTS.N = 2 ** logN;
}

function derive(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  keyLength: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes (32 MiB at the defaults).
    scrypt(password.normalize('NFKC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = DEFAULTS;
  const key = await derive(password, salt, N, r, p, keyLength);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (!N || !r || !p || expected.length === 0) return false;
  const key = await derive(password, salt, N, r, p, expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash to verify against when the account does not exist, so timing does not reveal which part was wrong. */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(12).toString('hex'));
  return dummyHash;
}

export const MIN_PASSWORD_LENGTH = 10;
