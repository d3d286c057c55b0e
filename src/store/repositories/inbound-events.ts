/** Inbound events: every platform event once (deduplicated on channel + native id), then processed in order. */
import type { Kysely, Selectable } from 'kysely';
import type { InboundMessage } from '../../model/index.js';
import { newId } from '../ids.js';
import { fromJson, toJson } from '../json.js';
import type { CoreTables } from '../schema.js';

type Db = Kysely<CoreTables>;

export type InboundEventStatus = 'pending' | 'processed' | 'failed';

/** Something other than a customer message that must run in the conversation's order (an agent hands back). */
export interface InternalTurnRequest {
  kind: 'start-flow';
  flowId: string;
  stepId?: string;
}

/** What an inbound_events row carries: a platform message, or an internal request queued in the same line. */
export type StoredInboundPayload =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'internal'; request: InternalTurnRequest };

export interface InboundEventRecord {
  id: string;
  channel: string;
  nativeId: string;
  contactId: string;
  conversationId: string;
  payload: StoredInboundPayload;
  status: InboundEventStatus;
  error: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  /** The request that recorded it: the turn and its sends log under the same id. */
  requestId: string | null;
}

/** Prefix of native ids the runtime makes up for internal requests; no platform id looks like it. */
export const INTERNAL_NATIVE_ID_PREFIX = 'plausch:internal:';

/**
 * Inserts the event unless (channel, native id) is already recorded. Returns the new id, or null for a
 * duplicate. `ON CONFLICT DO NOTHING` keeps a PostgreSQL transaction usable after a duplicate, and a parallel
 * insert of the same key waits for the first transaction and then reports the duplicate.
 */
export async function insertInboundEvent(
  db: Db,
  event: {
    channel: string;
    nativeId: string;
    contactId: string;
    conversationId: string;
    payload: StoredInboundPayload;
    receivedAt: Date;
    requestId?: string | null;
  },
  now: Date,
): Promise<string | null> {
  const id = newId(now.getTime());
  const inserted = await db
    .insertInto('inbound_events')
    .values({
      id,
      channel: event.channel,
      native_id: event.nativeId,
      contact_id: event.contactId,
      conversation_id: event.conversationId,
      // Platform events keep the InboundMessage as the column's contract says; internal ones are marked.
      message: toJson(
        event.payload.kind === 'message'
          ? event.payload.message
          : { plausch_internal: event.payload.request },
      ),
      status: 'pending',
      error: null,
      received_at: event.receivedAt.getTime(),
      processed_at: null,
      request_id: event.requestId ?? null,
    })
    .onConflict((oc) => oc.columns(['channel', 'native_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted ? id : null;
}

function recordFromRow(row: Selectable<CoreTables['inbound_events']>): InboundEventRecord {
  let payload: StoredInboundPayload;
  if (row.native_id.startsWith(INTERNAL_NATIVE_ID_PREFIX)) {
    const stored = fromJson<{ plausch_internal?: InternalTurnRequest }>(row.message, {});
    payload = { kind: 'internal', request: stored.plausch_internal ?? { kind: 'start-flow', flowId: '' } };
  } else {
    const message = fromJson<InboundMessage>(row.message, {} as InboundMessage);
    // JSON turned the Date into a string.
    payload = {
      kind: 'message',
      message: { ...message, receivedAt: new Date(message.receivedAt ?? Number(row.received_at)) },
    };
  }
  return {
    id: row.id,
    channel: row.channel,
    nativeId: row.native_id,
    contactId: row.contact_id,
    conversationId: row.conversation_id,
    payload,
    status: row.status as InboundEventStatus,
    error: row.error,
    receivedAt: new Date(Number(row.received_at)),
    processedAt: row.processed_at === null ? null : new Date(Number(row.processed_at)),
    requestId: row.request_id ?? null,
  };
}

export async function getInboundEvent(db: Db, id: string): Promise<InboundEventRecord | null> {
  const row = await db.selectFrom('inbound_events').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? recordFromRow(row) : null;
}

/** The oldest pending event of a conversation: the next one its worker handles. Ids break ties of equal times. */
export async function oldestPendingInboundEvent(
  db: Db,
  conversationId: string,
): Promise<InboundEventRecord | null> {
  const row = await db
    .selectFrom('inbound_events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'pending')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row ? recordFromRow(row) : null;
}

/**
 * Marks a pending event done. Returns false if it was no longer pending (another instance got there first),
 * so the caller rolls its transaction back.
 */
export async function completeInboundEvent(
  db: Db,
  id: string,
  outcome: { status: 'processed' } | { status: 'failed'; error: string },
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('inbound_events')
    .set({
      status: outcome.status,
      error: outcome.status === 'failed' ? outcome.error.slice(0, 2000) : null,
      processed_at: now.getTime(),
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Conversations with unprocessed events, oldest first: what start-up recovery works through. */
export async function conversationsWithPendingEvents(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('inbound_events')
    .select('conversation_id')
    .where('status', '=', 'pending')
    .groupBy('conversation_id')
    .orderBy((eb) => eb.fn.min('id'))
    .execute();
  return rows.map((r) => r.conversation_id);
}

export async function countInboundEvents(
  db: Db,
  filter: { status?: InboundEventStatus } = {},
): Promise<number> {
  let query = db.selectFrom('inbound_events').select((eb) => eb.fn.countAll<number>().as('n'));
  if (filter.status) query = query.where('status', '=', filter.status);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}
