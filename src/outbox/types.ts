/** The outbox's contract with the rest of Plausch: what can be queued, and who may veto a send. */
import type { ChannelName, Contact, Conversation, OutboundMessage } from '../model/index.js';

export type OutboxPurpose = 'reply' | 'agent' | 'broadcast' | 'reminder' | 'notice' | 'system';

export interface OutboxItem {
  contactId: string;
  conversationId: string | null;
  channel: ChannelName;
  message: OutboundMessage;
  purpose: OutboxPurpose;
  /** Newsletter topic this send relies on; the consent guard refuses it without confirmed consent. */
  topic?: string | null;
  /** Broadcast, event reminder or other source, for statistics and cancelling. */
  sourceId?: string | null;
  /** Not sent before this time (scheduled broadcasts, reminders). */
  notBefore?: Date;
}

/** A queued row as guards see it. */
export interface OutboxRowView {
  id: string;
  channel: ChannelName;
  purpose: OutboxPurpose;
  topic: string | null;
  sourceId: string | null;
  message: OutboundMessage;
  createdAt: Date;
}

export type GuardVerdict =
  | { action: 'send' }
  /** Send this instead (e.g. the template variant outside the WhatsApp window). */
  | { action: 'send-as'; message: OutboundMessage }
  /** Keep it, marked, unsent: it may become sendable (window reopens) or an operator decides. */
  | { action: 'hold'; reason: string }
  /** Never send it (consent withdrawn, broadcast cancelled). */
  | { action: 'cancel'; reason: string };

/**
 * Checked right before each send, in the sending code path, so no flow or feature can bypass it.
 * Guards run in registration order; the first verdict other than `send` wins.
 */
export interface SendGuard {
  readonly name: string;
  check(
    row: OutboxRowView,
    context: { contact: Contact; conversation: Conversation | null; now: Date },
  ): Promise<GuardVerdict>;
}
