/**
 * What the console sends to a customer: agent replies (text, image or file) and the notices about who is
 * speaking ("Anna aus dem Team ist jetzt für dich da", "back to the bot"). Each goes into the outbox and the
 * transcript in one transaction, so the transcript shows exactly what the customer received.
 */
import type { Kysely } from 'kysely';
import type { HandoffSettings } from '../../features/handoff/settings.js';
import type { ChannelName, OutboundMessage } from '../../model/index.js';
import { enqueueOutbound } from '../../outbox/enqueue.js';
import type { RuntimeEventBus } from '../../runtime/events.js';
import type { Store } from '../../store/database.js';
import type { TranscriptMessage } from '../../store/repositories/mapping.js';
import { insertTranscriptMessage } from '../../store/repositories/transcript.js';
import type { CoreTables } from '../../store/schema.js';
import { pickLocalized } from '../../text/localized.js';

export interface CustomerTarget {
  conversationId: string;
  contactId: string;
  channel: string;
}

export interface SentToCustomer {
  outboxId: string;
  message: TranscriptMessage;
}

/** The name a customer sees for a colleague: the first word of the display name ("Anna Berger" → "Anna"). */
export function firstNameOf(displayName: string): string {
  return displayName.trim().split(/\s+/)[0] || displayName;
}

export async function sendToCustomer(
  db: Kysely<CoreTables>,
  target: CustomerTarget,
  message: OutboundMessage,
  transcript: { author: 'agent' | 'system'; agentId: string | null; details?: Record<string, unknown> },
  at: Date,
): Promise<SentToCustomer> {
  const [outboxId] = await enqueueOutbound(
    db,
    [
      {
        contactId: target.contactId,
        conversationId: target.conversationId,
        channel: target.channel as ChannelName,
        message,
        // Part of the support conversation the customer started, like a reply (never a proactive notice,
        // which the consent guard would hold back).
        purpose: 'agent',
      },
    ],
    at,
  );
  const details: Record<string, unknown> = { ...(transcript.details ?? {}) };
  if (message.media) details.media = message.media;
  // The transcript shows the buttons the customer got (the rating question's 1–5), as for the bot's messages.
  if (message.buttons?.length) details.buttons = message.buttons;
  const recorded = await insertTranscriptMessage(
    db,
    {
      conversationId: target.conversationId,
      contactId: target.contactId,
      direction: 'out',
      author: transcript.author,
      agentId: transcript.agentId,
      text: message.text ?? null,
      details: Object.keys(details).length ? details : null,
      outboxId: outboxId ?? null,
    },
    at,
  );
  return { outboxId: outboxId!, message: recorded };
}

export function publishSent(events: RuntimeEventBus, target: CustomerTarget, sent: SentToCustomer): void {
  events.publish({ type: 'message-recorded', conversationId: target.conversationId, message: sent.message });
  events.publish({
    type: 'outbox-changed',
    outboxId: sent.outboxId,
    conversationId: target.conversationId,
    contactId: target.contactId,
    channel: target.channel as ChannelName,
    status: 'queued',
  });
}

/** Tells the customer who is speaking now; no-op without handoff settings (no handoff feature). */
export async function announceSpeaker(
  store: Store,
  events: RuntimeEventBus,
  settings: HandoffSettings | null,
  target: CustomerTarget,
  change: { kind: 'agent-joined'; agent: { id: string; displayName: string } } | { kind: 'bot-back' },
  at: Date,
): Promise<void> {
  if (!settings) return;
  const contact = await store.db
    .selectFrom('contacts')
    .select(['locale'])
    .where('id', '=', target.contactId)
    .executeTakeFirst();
  const locale = contact?.locale ?? 'de';
  const message: OutboundMessage =
    change.kind === 'agent-joined'
      ? {
          text: pickLocalized(settings.texts.agent_joined, locale).replace(
            /\{\{\s*name\s*\}\}/g,
            firstNameOf(change.agent.displayName),
          ),
          sender: { role: 'agent', name: firstNameOf(change.agent.displayName) },
        }
      : { text: pickLocalized(settings.texts.bot_back, locale), sender: { role: 'bot', name: '' } };
  const sent = await sendToCustomer(
    store.db,
    target,
    message,
    {
      author: 'system',
      agentId: change.kind === 'agent-joined' ? change.agent.id : null,
      details: { kind: change.kind },
    },
    at,
  );
  publishSent(events, target, sent);
}
