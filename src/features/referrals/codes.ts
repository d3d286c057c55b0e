/**
 * Personal referral codes: one per contact and campaign, 8 characters from an alphabet without look-alikes
 * (no 0/o, 1/l, no capitals), so a code read aloud or retyped from a screenshot still works.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import type { ReferralCodesTable, ReferralTables } from './tables.js';

/** 32 symbols: a byte masked to 5 bits picks one without bias. */
export const CODE_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyz';
export const CODE_LENGTH = 8;
/** The start payload carries `ref_<code>`; Telegram allows [A-Za-z0-9_-]{1,64}, so this always fits. */
export const PAYLOAD_PREFIX = 'ref_';

const CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);
/** Finds `ref_<code>` in a start payload or a prefilled first message (wa.me?text=). */
const PAYLOAD_IN_TEXT = new RegExp(
  `(?:^|[^A-Za-z0-9_])${PAYLOAD_PREFIX}([A-Za-z0-9]{${CODE_LENGTH}})(?![A-Za-z0-9_])`,
);

export function generateCode(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(CODE_LENGTH);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte & 31];
  return code;
}

/** Normalizes what a visitor or platform handed us; null when it cannot be one of our codes. */
export function normalizeCode(input: string): string | null {
  const code = input.trim().toLowerCase();
  return CODE_PATTERN.test(code) ? code : null;
}

export function payloadForCode(code: string): string {
  return `${PAYLOAD_PREFIX}${code}`;
}

/** The code inside a start payload or a message text, if there is one. */
export function findCodeInText(text: string | undefined): string | null {
  if (!text) return null;
  const match = PAYLOAD_IN_TEXT.exec(text);
  return match?.[1] ? normalizeCode(match[1]) : null;
}

export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export interface CodeOwner {
  contactId: string;
  channel: string;
}

/**
 * The contact's code for the campaign, created on first use. Stable: the same contact and campaign always get
 * the same code. A collision with someone else's code (1 in 10^12 per pair) is retried with a fresh one.
 */
export async function getOrCreateCode(
  db: Kysely<CoreTables & ReferralTables>,
  owner: CodeOwner,
  campaignId: string,
  now: Date,
  random?: (size: number) => Buffer,
): Promise<ReferralCodesTable> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const existing = await db
      .selectFrom('referral_codes')
      .selectAll()
      .where('contact_id', '=', owner.contactId)
      .where('campaign_id', '=', campaignId)
      .executeTakeFirst();
    if (existing) return existing;
    const row: ReferralCodesTable = {
      id: newId(now.getTime()),
      code: generateCode(random),
      contact_id: owner.contactId,
      campaign_id: campaignId,
      channel: owner.channel,
      joined_count: 0,
      created_at: now.getTime(),
    };
    try {
      await db.insertInto('referral_codes').values(row).execute();
      return row;
    } catch (error) {
      // Either another request created this contact's code (found on the next round) or the code collided.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error('could not create a unique referral code after 8 attempts');
}

export async function findCode(
  db: Kysely<CoreTables & ReferralTables>,
  code: string,
): Promise<ReferralCodesTable | undefined> {
  return db.selectFrom('referral_codes').selectAll().where('code', '=', code).executeTakeFirst();
}
