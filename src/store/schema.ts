/**
 * Table types of the core store. Timestamps are epoch milliseconds (number), JSON columns are text,
 * booleans are 0/1 integers: the same in SQLite and PostgreSQL.
 * Features declare their own tables next to their code and use `db.withTables<TheirTables>()`.
 */

export interface ContactsTable {
  id: string;
  channel: string;
  channel_contact_id: string;
  display_name: string | null;
  first_name: string | null;
  last_name: string | null;
  username: string | null;
  phone: string | null;
  locale: string;
  /** JSON array of strings. */
  tags: string;
  /** JSON object. */
  attributes: string;
  /** JSON object or null: how the channel reaches this person again. */
  reply_address: string | null;
  created_at: number;
  last_inbound_at: number | null;
  /** Set when the person's data was erased: the row stays as an anonymous tombstone for the aggregates. */
  erased_at?: number | null;
  /** The name staff gave the contact in the inbox (migration 1252); wins over the platform's names. */
  agent_name?: string | null;
}

export interface ConversationsTable {
  id: string;
  contact_id: string;
  channel: string;
  /** bot | queued | agent | closed */
  status: string;
  /** JSON ConversationState. */
  state: string;
  assigned_agent_id: string | null;
  window_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Every inbound platform event, deduplicated on (channel, native_id). */
export interface InboundEventsTable {
  id: string;
  channel: string;
  native_id: string;
  contact_id: string;
  conversation_id: string;
  /** JSON InboundMessage (including the raw payload, for audit). */
  message: string;
  /** pending | processed | failed */
  status: string;
  error: string | null;
  received_at: number;
  processed_at: number | null;
  /** The HTTP request (webhook) that recorded it, or an id given at accept; see migration 1050. */
  request_id?: string | null;
}

/** The conversation transcript: what the customer, the bot and agents said, and system notes. */
export interface MessagesTable {
  id: string;
  conversation_id: string;
  contact_id: string;
  /** in | out | internal */
  direction: string;
  /** contact | bot | agent | system */
  author: string;
  agent_id: string | null;
  text: string | null;
  /** JSON: buttons, pressed payload, media, event details. */
  details: string | null;
  inbound_event_id: string | null;
  outbox_id: string | null;
  created_at: number;
}

/** Durable queue of everything Plausch sends; one row per outbound message. */
export interface OutboxTable {
  id: string;
  conversation_id: string | null;
  contact_id: string;
  channel: string;
  /** JSON OutboundMessage. */
  message: string;
  /** reply | agent | broadcast | reminder | notice | system */
  purpose: string;
  /** Newsletter topic the send relies on; sends with a topic need recorded consent at send time. */
  topic: string | null;
  /** Broadcast, event or other source this row belongs to, for statistics and cancelling. */
  source_id: string | null;
  /** queued | sending | sent | delivered | read | failed | held | cancelled */
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  native_message_id: string | null;
  created_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  /** The request id of the turn that queued it (see migration 1050); null for broadcasts and older rows. */
  request_id?: string | null;
}

export interface CoreTables {
  contacts: ContactsTable;
  conversations: ConversationsTable;
  inbound_events: InboundEventsTable;
  messages: MessagesTable;
  outbox: OutboxTable;
}
