/** Contacts and conversations as the rest of Plausch sees them. */
import type { ChannelName } from './channel.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Variables = Record<string, JsonValue>;

export interface Contact {
  id: string;
  channel: ChannelName;
  channelContactId: string;
  displayName: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  phone: string | null;
  /** Short language code the bot speaks with this person (`de`, `en`). */
  locale: string;
  tags: string[];
  /** Remembered across flows (e-mail, preferences). */
  attributes: Variables;
  replyAddress: Record<string, unknown> | null;
  createdAt: Date;
  lastInboundAt: Date | null;
}

/** Who is answering the conversation right now. */
export type ConversationStatus = 'bot' | 'queued' | 'agent' | 'closed';

/** Where the engine stands in a conversation; stored as JSON and survives restarts. */
export interface ConversationState {
  flowId: string | null;
  stepId: string | null;
  /** What the current step waits for, if anything. */
  awaiting: 'choice' | 'input' | null;
  vars: Variables;
  /** Consecutive inputs the current step did not understand. */
  misses: number;
  /**
   * Buttons (with payloads) of the last bot message that offered any, so a typed number or label resolves
   * to them on channels that render buttons as numbered text (WhatsApp Web). Absent when nothing is offered.
   */
  offered?: Array<{ label: string; payload: string }>;
  /**
   * The customer's current visit: it starts with a message after a quiet spell (`visit_timeout_minutes`) and
   * tells a returning contact from a first-time one. Absent until the first message under this version.
   */
  visit?: VisitState;
}

export interface VisitState {
  /** ISO time of the visit's first message. */
  startedAt: string;
  /** ISO time of the customer's latest message in it. */
  lastSeenAt: string;
  /** The contact talked with us in an earlier visit. */
  returning: boolean;
  /** `visit.<name>` variables a flow set; forgotten when the next visit starts. */
  vars: Variables;
}

export const EMPTY_CONVERSATION_STATE: ConversationState = {
  flowId: null,
  stepId: null,
  awaiting: null,
  vars: {},
  misses: 0,
};

export interface Conversation {
  id: string;
  contactId: string;
  channel: ChannelName;
  status: ConversationStatus;
  state: ConversationState;
  assignedAgentId: string | null;
  /** End of the platform's customer-service window, if the channel has one. */
  windowExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
