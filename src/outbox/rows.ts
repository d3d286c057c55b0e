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

type OutboxChanges = Updateable<CoreTables['outbox'] & RuntimeTables['outbox']>;

/** The columns an outcome writes (the lease is released in every case). */
export function outcomeChanges(row: OutboxRow, outcome: SendOutcome, now: number): OutboxChanges {
  const release = { locked_by: null, locked_until: null };
  switch (outcome.status) {
    case 'sent':
      return {
        ...release,
        status: 'sent',
        native_message_id: outcome.nativeMessageId,
        sent_at: now,
        last_error: null,
        held_by: null,
        attempts: row.attempts + 1,
      };
    case 'queued':
      return {
        ...release,
        status: 'queued',
        next_attempt_at: outcome.nextAttemptAt,
        attempts: outcome.attempts,
        last_error: outcome.error,
      };
    case 'failed':
      return {
        ...release,
        status: 'failed',
        attempts: outcome.attempts,
        last_error: outcome.error,
        failed_at: now,
      };
    case 'held':
      return { ...release, status: 'held', held_by: outcome.heldBy, last_error: outcome.reason };
    case 'cancelled':
      return { ...release, status: 'cancelled', last_error: outcome.reason };
  }
}

/**
 * The statement that records an outcome. Most outcomes are written only while this instance still holds
 * the lease (otherwise another instance owns the row now). `sent` is the exception: the platform took the
 * message, which is true whoever holds the row, and recording it stops a reclaimed copy from going out
 * again; only rows already past sending (`sent`, `delivered`, `read`, cancelled …) are left alone.
 */
export function recordOutcomeQuery(
  db: RuntimeDb,
  row: OutboxRow,
  instanceId: string,
  outcome: SendOutcome,
  now: number,
) {
  const query = db
    .updateTable('outbox')
    .set(outcomeChanges(row, outcome, now))
    .where('id', '=', row.id);
  if (outcome.status === 'sent') return query.where('status', 'in', ['sending', 'queued']);
  return query.where('status', '=', 'sending').where('locked_by', '=', instanceId);
}

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
  const result = await recordOutcomeQuery(db, row, instanceId, outcome, now).executeTakeFirst();
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
