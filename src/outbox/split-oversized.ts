/**
 * Splits a message longer than its channel allows into one outbox row per part, before the first part is
 * sent. Each part is then sent, retried and recorded on its own, so a failure of part 3 never re-sends parts
 * 1 and 2 (adapters would otherwise split inside one send and repeat the early parts on a retry).
 * The parts get ids that sort right after the original row, so the chat receives them in order.
 */
import { splitText } from '../channels/render/split-text.js';
import type { OutboundMessage } from '../model/index.js';
import type { Store } from '../store/database.js';
import { withRuntimeTables } from '../store/repositories/tables.js';
import type { OutboxRow } from './rows.js';

/** Returns the message to send now: the whole message if it fits, else its first part (the rest are queued). */
export async function splitOversizedRow(
  store: Store,
  row: OutboxRow,
  message: OutboundMessage,
  maxTextLength: number,
  now: number,
): Promise<OutboundMessage> {
  const text = message.text;
  if (!text || text.length <= maxTextLength || message.template) return message;
  const texts = splitText(text, maxTextLength);
  if (texts.length < 2) return message;
  // Buttons, media and links belong under the last part, where the customer reads on.
  const { text: _whole, ...attachments } = message;
  const parts: OutboundMessage[] = texts.map((part, index) =>
    index === texts.length - 1 ? { ...attachments, text: part } : { text: part },
  );
  const db = withRuntimeTables(store.db);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({ message: JSON.stringify(parts[0]) })
      .where('id', '=', row.id)
      .execute();
    await trx
      .insertInto('outbox')
      .values(
        parts.slice(1).map((part, index) => ({
          ...row,
          id: `${row.id}-p${String(index + 2).padStart(2, '0')}`,
          message: JSON.stringify(part),
          status: 'queued',
          attempts: 0,
          next_attempt_at: now,
          locked_by: null,
          locked_until: null,
          last_error: null,
          native_message_id: null,
          held_by: null,
          sent_at: null,
          delivered_at: null,
          read_at: null,
          failed_at: null,
        })),
      )
      .execute();
  });
  return parts[0]!;
}
