/** Row ↔ model mapping for contacts, conversations and transcript messages, in one place. */
import type { Selectable } from 'kysely';
import {
  type ChannelName,
  type Contact,
  type Conversation,
  type ConversationState,
  type ConversationStatus,
  EMPTY_CONVERSATION_STATE,
  isChannelName,
  type Variables,
} from '../../model/index.js';
import { fromJson } from '../json.js';
import type { ContactsTable, ConversationsTable, MessagesTable } from '../schema.js';

const CONVERSATION_STATUSES: readonly ConversationStatus[] = ['bot', 'queued', 'agent', 'closed'];

function channelOf(value: string): ChannelName {
  // A row with an unknown channel can only come from a newer version or a manual edit; keep it readable.
  return isChannelName(value) ? value : 'cli';
}

const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(Number(ms)));

export function contactFromRow(row: Selectable<ContactsTable>): Contact {
  const tags = fromJson<unknown>(row.tags, []);
  const attributes = fromJson<unknown>(row.attributes, {});
  return {
    id: row.id,
    channel: channelOf(row.channel),
    channelContactId: row.channel_contact_id,
    displayName: row.display_name,
    firstName: row.first_name,
    lastName: row.last_name,
    username: row.username,
    phone: row.phone,
    locale: row.locale,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    attributes: isPlainObject(attributes) ? (attributes as Variables) : {},
    replyAddress: fromJson<Record<string, unknown> | null>(row.reply_address, null),
    createdAt: new Date(Number(row.created_at)),
    lastInboundAt: dateOrNull(row.last_inbound_at),
  };
}

export function conversationFromRow(row: Selectable<ConversationsTable>): Conversation {
  const state = fromJson<Partial<ConversationState>>(row.state, EMPTY_CONVERSATION_STATE);
  return {
    id: row.id,
    contactId: row.contact_id,
    channel: channelOf(row.channel),
    status: (CONVERSATION_STATUSES as readonly string[]).includes(row.status)
      ? (row.status as ConversationStatus)
      : 'bot',
    state: {
      ...EMPTY_CONVERSATION_STATE,
      ...state,
      vars: isPlainObject(state.vars) ? (state.vars as Variables) : {},
    },
    assignedAgentId: row.assigned_agent_id,
    windowExpiresAt: dateOrNull(row.window_expires_at),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

export type TranscriptDirection = 'in' | 'out' | 'internal';
export type TranscriptAuthor = 'contact' | 'bot' | 'agent' | 'system';

/** One line of a conversation's transcript as the console shows it. */
export interface TranscriptMessage {
  id: string;
  conversationId: string;
  contactId: string;
  direction: TranscriptDirection;
  author: TranscriptAuthor;
  agentId: string | null;
  text: string | null;
  details: Record<string, unknown> | null;
  inboundEventId: string | null;
  outboxId: string | null;
  createdAt: Date;
}

export function transcriptFromRow(row: Selectable<MessagesTable>): TranscriptMessage {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    contactId: row.contact_id,
    direction: row.direction as TranscriptDirection,
    author: row.author as TranscriptAuthor,
    agentId: row.agent_id,
    text: row.text,
    details: fromJson<Record<string, unknown> | null>(row.details, null),
    inboundEventId: row.inbound_event_id,
    outboxId: row.outbox_id,
    createdAt: new Date(Number(row.created_at)),
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
