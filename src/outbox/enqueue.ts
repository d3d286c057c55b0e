/** Puts messages into the durable outbox, inside the caller's transaction when it has one. */
import type { Kysely } from 'kysely';
import { currentRequestId } from '../http/request-context.js';
import { newId } from '../store/ids.js';
import type { CoreTables } from '../store/schema.js';
import { signalOutboxEnqueued } from './signal.js';
import type { OutboxItem } from './types.js';

/** Inserts the items in order and returns their ids. Works with a Kysely instance or a transaction. */
export async function enqueueOutbound(
  db: Kysely<CoreTables>,
  items: readonly OutboxItem[],
  now = new Date(),
): Promise<string[]> {
  if (items.length === 0) return [];
  // Queued by a turn or an API call: its sends log under that request's id.
  const requestId = currentRequestId() ?? null;
  const rows = items.map((item) => ({
    id: newId(now.getTime()),
    conversation_id: item.conversationId,
    contact_id: item.contactId,
    channel: item.channel,
    message: JSON.stringify(item.message),
    purpose: item.purpose,
    topic: item.topic ?? null,
    source_id: item.sourceId ?? null,
    status: 'queued',
    attempts: 0,
    next_attempt_at: (item.notBefore ?? now).getTime(),
    locked_by: null,
    locked_until: null,
    last_error: null,
    native_message_id: null,
    created_at: now.getTime(),
    sent_at: null,
    delivered_at: null,
    read_at: null,
    failed_at: null,
    request_id: requestId,
  }));
  // Chunked so a large broadcast stays under SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('outbox')
      .values(rows.slice(i, i + 200))
      .execute();
  }
  // Inside a transaction the rows are not visible yet; the woken worker looks again shortly after (see worker).
  signalOutboxEnqueued();
  return rows.map((r) => r.id);
}
