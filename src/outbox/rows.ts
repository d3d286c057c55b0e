/** Outbox rows as the worker handles them, and the status changes a claimed row can go through. */
import type { Selectable, Updateable } from 'kysely';
import type { ChannelName, DeliveryStatus, OutboundMessage } from '../model/index.js';
import { fromJson } from '../store/json.js';
import type { RuntimeDb, RuntimeTables } from '../store/repositories/tables.js';
import type { CoreTables } from '../store/schema.js';
import type { OutboxPurpose, OutboxRowView } from './types.js';

export type OutboxRow = Selectable<CoreTables['outbox']> & { held_by: string | null };

/** `held_by` of rows held because the customer-service window is closed; a new inbound message releases them. */
export const WINDOW_HOLDERS = ['window', 'platform-window'] as const;

export function outboxRowView(row: OutboxRow): OutboxRowView {
  return {
    id: row.id,
    channel: row.channel as ChannelName,
    purpose: row.purpose as OutboxPurpose,
    topic: row.topic,
    sourceId: row.source_id,
    message: fromJson<OutboundMessage>(row.message, {}),
    createdAt: new Date(Number(row.created_at)),
  };
}

/** The end state of one send attempt of a claimed row. */
export type SendOutcome =
  | { status: 'sent'; nativeMessageId: string | null }
  | { status: 'queued'; nextAttemptAt: number; attempts: number; error: string | null }
  | { status: 'failed'; attempts: number; error: string }
  | { status: 'held'; heldBy: string; reason: string }
  | { status: 'cancelled'; reason: string };

/**
 * Writes the outcome if this instance still holds the lease. Returns false when the lease was lost
 * (expired and reclaimed elsewhere): the other instance now owns the row.
 */
export async function finishClaimedRow(
  db: RuntimeDb,
  row: OutboxRow,
  instanceId: string,
  outcome: SendOutcome,
  now: number,
): Promise<boolean> {
  const release = { locked_by: null, locked_until: null };
  let set: Updateable<CoreTables['outbox'] & RuntimeTables['outbox']>;
  switch (outcome.status) {
    case 'sent':
      set = {
        ...release,
        status: 'sent',
        native_message_id: outcome.nativeMessageId,
        sent_at: now,
        last_error: null,
        held_by: null,
        attempts: row.attempts + 1,
      };
      break;
    case 'queued':
      set = {
        ...release,
        status: 'queued',
        next_attempt_at: outcome.nextAttemptAt,
        attempts: outcome.attempts,
        last_error: outcome.error,
      };
      break;
    case 'failed':
      set = {
        ...release,
        status: 'failed',
        attempts: outcome.attempts,
        last_error: outcome.error,
        failed_at: now,
      };
      break;
    case 'held':
      set = { ...release, status: 'held', held_by: outcome.heldBy, last_error: outcome.reason };
      break;
    case 'cancelled':
      set = { ...release, status: 'cancelled', last_error: outcome.reason };
      break;
  }
  const result = await db
    .updateTable('outbox')
    .set(set)
    .where('id', '=', row.id)
    .where('status', '=', 'sending')
    .where('locked_by', '=', instanceId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function detailOf(outcome: SendOutcome): string | null {
  switch (outcome.status) {
    case 'sent':
      return null;
    case 'queued':
      return outcome.error;
    case 'failed':
      return outcome.error;
    case 'held':
    case 'cancelled':
      return outcome.reason;
  }
}

export type { DeliveryStatus };
