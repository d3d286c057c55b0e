/** Operator and runtime actions on outbox rows outside a send: retry, cancel a source, release held rows. */

import type { Kysely } from 'kysely';
import type { ChannelName, DeliveryStatus } from '../model/index.js';
import type { RuntimeEventBus } from '../runtime/events.js';
import type { Store } from '../store/database.js';
import { type RuntimeDb, withRuntimeTables } from '../store/repositories/tables.js';
import type { CoreTables } from '../store/schema.js';
import { type OutboxRow, WINDOW_HOLDERS } from './rows.js';
import { signalOutboxEnqueued } from './signal.js';

function publishRows(
  events: RuntimeEventBus,
  rows: readonly OutboxRow[],
  status: DeliveryStatus,
  detail: string | null,
): void {
  for (const row of rows) {
    events.publish({
      type: 'outbox-changed',
      outboxId: row.id,
      conversationId: row.conversation_id,
      contactId: row.contact_id,
      channel: row.channel as ChannelName,
      status,
      detail,
    });
  }
}

export type RetryOutcome = 'queued' | 'not-found' | 'not-retryable';

/** Console: a failed or held row goes back to the queue, due now, with a fresh attempt count. */
export async function retryOutboxRow(
  store: Store,
  events: RuntimeEventBus,
  id: string,
  now: Date,
): Promise<RetryOutcome> {
  const db = withRuntimeTables(store.db);
  const rows = await db
    .updateTable('outbox')
    .set({
      status: 'queued',
      next_attempt_at: now.getTime(),
      attempts: 0,
      last_error: null,
      held_by: null,
      failed_at: null,
      locked_by: null,
      locked_until: null,
    })
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'held'])
    .returningAll()
    .execute();
  if (rows.length === 0) {
    const exists = await db.selectFrom('outbox').select('id').where('id', '=', id).executeTakeFirst();
    return exists ? 'not-retryable' : 'not-found';
  }
  publishRows(events, rows, 'queued', null);
  signalOutboxEnqueued();
  return 'queued';
}

/** A cancelled broadcast or reminder: its rows not yet sent (queued or held) are never sent. Returns the count. */
export async function cancelOutboxBySource(
  store: Store,
  events: RuntimeEventBus,
  sourceId: string,
  reason = 'cancelled by its source',
): Promise<number> {
  const rows = await withRuntimeTables(store.db)
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: reason, held_by: null })
    .where('source_id', '=', sourceId)
    .where('status', 'in', ['queued', 'held'])
    .returningAll()
    .execute();
  publishRows(events, rows, 'cancelled', reason);
  return rows.length;
}

/**
 * The customer wrote again, so the window is open: rows held for the window are queued again (the guards
 * decide afresh at send time). Runs inside the inbound transaction; the caller publishes after commit.
 */
export async function releaseWindowHeldRows(
  db: Kysely<CoreTables> | RuntimeDb,
  contactId: string,
  now: Date,
): Promise<OutboxRow[]> {
  return withRuntimeTables(db as Kysely<CoreTables>)
    .updateTable('outbox')
    .set({ status: 'queued', next_attempt_at: now.getTime(), held_by: null, last_error: null })
    .where('contact_id', '=', contactId)
    .where('status', '=', 'held')
    .where('held_by', 'in', [...WINDOW_HOLDERS])
    .returningAll()
    .execute();
}

export { publishRows as publishOutboxRows };
