/**
 * Records an inbound platform event exactly once, in one transaction: contact, conversation, the deduplicated
 * inbound event, the transcript line, the service window, and release of rows held for the window.
 * A duplicate (same channel + native id) rolls everything back and changes nothing.
 */
import type { ChannelCapabilities, Conversation, InboundMessage } from '../model/index.js';
import { releaseWindowHeldRows } from '../outbox/operations.js';
import type { OutboxRow } from '../outbox/rows.js';
import type { Store } from '../store/database.js';
import { upsertContactFromInbound } from '../store/repositories/contacts.js';
import { getOrCreateConversation, recordInboundOnConversation } from '../store/repositories/conversations.js';
import { insertInboundEvent } from '../store/repositories/inbound-events.js';
import type { LocalePolicy } from '../store/repositories/locale.js';
import type { TranscriptMessage } from '../store/repositories/mapping.js';
import { insertTranscriptMessage } from '../store/repositories/transcript.js';

class DuplicateInbound extends Error {}

export type RecordInboundResult =
  | { kind: 'duplicate' }
  | {
      kind: 'accepted';
      eventId: string;
      conversation: Conversation;
      /** True when this message reopened a closed conversation. */
      reopened: boolean;
      transcript: TranscriptMessage;
      releasedRows: OutboxRow[];
    };

export async function recordInbound(
  store: Store,
  message: InboundMessage,
  context: { capabilities: ChannelCapabilities; locales: LocalePolicy; now: Date; requestId?: string },
): Promise<RecordInboundResult> {
  const { now } = context;
  try {
    return await store.db.transaction().execute(async (trx) => {
      const contact = await upsertContactFromInbound(trx, message, context.locales, now);
      const existing = await getOrCreateConversation(trx, contact, now);
      const eventId = await insertInboundEvent(
        trx,
        {
          channel: message.channel,
          nativeId: message.nativeId,
          contactId: contact.id,
          conversationId: existing.id,
          payload: { kind: 'message', message },
          receivedAt: message.receivedAt,
          requestId: context.requestId ?? null,
        },
        now,
      );
      if (eventId === null) throw new DuplicateInbound();

      const windowHours = context.capabilities.customerServiceWindowHours;
      const inboundAt = new Date(Math.min(message.receivedAt.getTime(), now.getTime()));
      const conversation = await recordInboundOnConversation(trx, existing, inboundAt, windowHours, now);
      const transcript = await insertTranscriptMessage(
        trx,
        {
          conversationId: conversation.id,
          contactId: contact.id,
          direction: 'in',
          author: 'contact',
          text: message.text ?? null,
          details: inboundDetails(message),
          inboundEventId: eventId,
        },
        now,
      );
      const releasedRows = windowHours === undefined ? [] : await releaseWindowHeldRows(trx, contact.id, now);
      return {
        kind: 'accepted' as const,
        eventId,
        conversation,
        reopened: existing.status === 'closed',
        transcript,
        releasedRows,
      };
    });
  } catch (error) {
    if (error instanceof DuplicateInbound) return { kind: 'duplicate' };
    throw error;
  }
}

/** What the transcript shows besides the text: the pressed button, the start payload, the media. */
function inboundDetails(message: InboundMessage): Record<string, unknown> | null {
  const details: Record<string, unknown> = {};
  if (message.buttonPayload !== undefined) details.payload = message.buttonPayload;
  if (message.startPayload !== undefined) details.startPayload = message.startPayload;
  if (message.isStart) details.isStart = true;
  if (message.media) details.media = message.media;
  return Object.keys(details).length > 0 ? details : null;
}
