/**
 * Applies platforms' delivery and read receipts to outbox rows found by (channel, native message id).
 * Statuses only move forward (sent → delivered → read): receipts arrive late, twice or out of order.
 */
import type { DeliveryReport } from '../model/index.js';
import type { RuntimeEventBus } from '../runtime/events.js';
import type { Store } from '../store/database.js';
import { withRuntimeTables } from '../store/repositories/tables.js';
import type { OutboxRow } from './rows.js';

// Rows still `sending` have no native id yet, so receipts can only meet rows from `sent` on.
const RANK: Record<string, number> = { sent: 1, delivered: 2, read: 3 };

/** Returns how many rows changed (0 for unknown ids and stale reports). */
export async function applyDeliveryReport(
  store: Store,
  events: RuntimeEventBus,
  report: DeliveryReport,
): Promise<number> {
  const db = withRuntimeTables(store.db);
  const rows = await db
    .selectFrom('outbox')
    .selectAll()
    .where('channel', '=', report.channel)
    .where('native_message_id', '=', report.nativeMessageId)
    .execute();
  let changed = 0;
  for (const row of rows) {
    if (await applyToRow(store, row, report)) {
      changed += 1;
      events.publish({
        type: 'outbox-changed',
        outboxId: row.id,
        conversationId: row.conversation_id,
        contactId: row.contact_id,
        channel: report.channel,
        status: report.status,
        detail: report.error ?? null,
      });
    }
  }
  return changed;
}

async function applyToRow(store: Store, row: OutboxRow, report: DeliveryReport): Promise<boolean> {
  const db = withRuntimeTables(store.db);
  const at = report.at.getTime();
  const current = RANK[row.status];
  if (report.status === 'failed') {
    // A message already delivered or read cannot fail afterwards; a late failure report for it is stale.
    if (current === undefined || current > RANK.sent!) return false;
    const result = await db
      .updateTable('outbox')
      .set({
        status: 'failed',
        failed_at: at,
        last_error: report.error ?? 'the platform reported the message as failed',
      })
      .where('id', '=', row.id)
      .where('status', '=', 'sent')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
  const next = RANK[report.status]!;
  if (current === undefined || next <= current) return false;
  const lowerStatuses = Object.entries(RANK)
    .filter(([, rank]) => rank < next)
    .map(([status]) => status);
  const result = await db
    .updateTable('outbox')
    .set({
      status: report.status,
      // A read receipt implies delivery; fill in what the platform skipped.
      ...(report.status === 'sent' || row.sent_at === null ? { sent_at: row.sent_at ?? at } : {}),
      ...(report.status === 'delivered' || report.status === 'read'
        ? { delivered_at: row.delivered_at ?? at }
        : {}),
      ...(report.status === 'read' ? { read_at: at } : {}),
    })
    .where('id', '=', row.id)
    .where('status', 'in', lowerStatuses)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
