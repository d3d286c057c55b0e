/** The transcript: what the contact, the bot, agents and the system said in a conversation. */
import type { Kysely } from 'kysely';
import { newId } from '../ids.js';
import { toJson } from '../json.js';
import type { CoreTables } from '../schema.js';
import {
  type TranscriptAuthor,
  type TranscriptDirection,
  type TranscriptMessage,
  transcriptFromRow,
} from './mapping.js';

type Db = Kysely<CoreTables>;

export interface NewTranscriptMessage {
  conversationId: string;
  contactId: string;
  direction: TranscriptDirection;
  author: TranscriptAuthor;
  agentId?: string | null;
  text: string | null;
  details?: Record<string, unknown> | null;
  inboundEventId?: string | null;
  outboxId?: string | null;
}

export async function insertTranscriptMessage(
  db: Db,
  message: NewTranscriptMessage,
  now: Date,
): Promise<TranscriptMessage> {
  const row = {
    id: newId(now.getTime()),
    conversation_id: message.conversationId,
    contact_id: message.contactId,
    direction: message.direction,
    author: message.author,
    agent_id: message.agentId ?? null,
    text: message.text,
    details: message.details ? toJson(message.details) : null,
    inbound_event_id: message.inboundEventId ?? null,
    outbox_id: message.outboxId ?? null,
    created_at: now.getTime(),
  };
  await db.insertInto('messages').values(row).execute();
  return transcriptFromRow(row);
}

export interface TranscriptPage {
  messages: TranscriptMessage[];
  /** Pass as `before` to read the next (older) page; null when there is none. */
  nextBefore: string | null;
}

/**
 * A conversation's messages, newest page first but each page in chronological order.
 * Ids sort by creation time, so `before` (an id) pages stably even when messages share a millisecond.
 */
export async function listTranscript(
  db: Db,
  conversationId: string,
  options: { limit?: number; before?: string } = {},
): Promise<TranscriptPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  let query = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
  if (options.before) query = query.where('id', '<', options.before);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit).reverse();
  return {
    messages: page.map(transcriptFromRow),
    nextBefore: rows.length > limit ? (page[0]?.id ?? null) : null,
  };
}
