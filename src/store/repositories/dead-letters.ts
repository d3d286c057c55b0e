/**
 * The dead-letter table: inbound events that can never succeed (see migration 0080). Writing one must not fail
 * for the same reason the event failed, so the payload is turned into bounded, NUL-free text first.
 */
import type { Kysely } from 'kysely';
import { newId } from '../ids.js';
import type { CoreTables } from '../schema.js';

export interface DeadLettersTable {
  id: string;
  channel: string;
  native_id: string | null;
  reason: string;
  payload: string;
  payload_bytes: number;
  received_at: number;
}

type DeadLetterTables = {
  inbound_dead_letters: DeadLettersTable;
};

/** Enough to see what arrived; a 1 MB webhook body must not become a 1 MB row per redelivery. */
export const DEAD_LETTER_PAYLOAD_LIMIT = 16 * 1024;
const REASON_LIMIT = 1000;
const NATIVE_ID_LIMIT = 200;

export interface DeadLetter {
  id: string;
  channel: string;
  nativeId: string | null;
  reason: string;
  /** The raw payload as text, cut at DEAD_LETTER_PAYLOAD_LIMIT characters. */
  payload: string;
  /** Size of the whole payload before cutting. */
  payloadBytes: number;
  truncated: boolean;
  receivedAt: Date;
}

export interface NewDeadLetter {
  channel: string;
  nativeId?: string | null | undefined;
  reason: string;
  /** Raw bytes (webhooks) or a parsed value (polling); either way stored as text. */
  payload: Buffer | string | unknown;
  receivedAt: Date;
}

/** NUL is the one character PostgreSQL text refuses; shown as its JSON escape so the row stays readable. */
const escapeNul = (text: string) => text.replaceAll('\u0000', '\\u0000');

/** Text of a payload of any shape; never throws (a 5,000-deep object overflows JSON.stringify). */
export function payloadText(payload: unknown): string {
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  if (typeof payload === 'string') return payload;
  try {
    return JSON.stringify(payload) ?? String(payload);
  } catch (error) {
    return `[payload not serializable: ${error instanceof Error ? error.message : String(error)}]`;
  }
}

function cut(text: string, limit: number): string {
  // Do not split a surrogate pair: a lone half is invalid UTF-8 for PostgreSQL.
  if (text.length <= limit) return text;
  const end = /[\uD800-\uDBFF]/.test(text[limit - 1] ?? '') ? limit - 1 : limit;
  return text.slice(0, end);
}

export async function insertDeadLetter(db: Kysely<CoreTables>, letter: NewDeadLetter): Promise<DeadLetter> {
  const full = payloadText(letter.payload);
  const payloadBytes = Buffer.isBuffer(letter.payload) ? letter.payload.length : Buffer.byteLength(full);
  const payload = escapeNul(cut(full, DEAD_LETTER_PAYLOAD_LIMIT));
  const nativeId =
    letter.nativeId === undefined || letter.nativeId === null
      ? null
      : escapeNul(cut(letter.nativeId, NATIVE_ID_LIMIT));
  const row: DeadLettersTable = {
    id: newId(letter.receivedAt.getTime()),
    channel: letter.channel,
    native_id: nativeId,
    reason: escapeNul(cut(letter.reason, REASON_LIMIT)),
    payload,
    payload_bytes: payloadBytes,
    received_at: letter.receivedAt.getTime(),
  };
  await db.withTables<DeadLetterTables>().insertInto('inbound_dead_letters').values(row).execute();
  return fromRow(row);
}

export async function listDeadLetters(
  db: Kysely<CoreTables>,
  options: { limit?: number; channel?: string; before?: Date } = {},
): Promise<DeadLetter[]> {
  let query = db
    .withTables<DeadLetterTables>()
    .selectFrom('inbound_dead_letters')
    .selectAll()
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(options.limit ?? 50, 1), 500));
  if (options.channel) query = query.where('channel', '=', options.channel);
  if (options.before) query = query.where('received_at', '<', options.before.getTime());
  return (await query.execute()).map(fromRow);
}

export async function countDeadLetters(db: Kysely<CoreTables>): Promise<number> {
  const row = await db
    .withTables<DeadLetterTables>()
    .selectFrom('inbound_dead_letters')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

function fromRow(row: DeadLettersTable): DeadLetter {
  return {
    id: row.id,
    channel: row.channel,
    nativeId: row.native_id,
    reason: row.reason,
    payload: row.payload,
    payloadBytes: Number(row.payload_bytes),
    truncated: Number(row.payload_bytes) > Buffer.byteLength(row.payload),
    receivedAt: new Date(Number(row.received_at)),
  };
}
