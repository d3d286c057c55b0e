/**
 * Asking for the rating (CSAT) when an agent closes a chat or hands it back to the bot: once per handoff, only
 * after a person actually answered, and never to a customer who was erased or can no longer be reached. The
 * question goes through the outbox like the other notices, with rating buttons where the channel shows them.
 */
import { sql } from 'kysely';
import { ratingButtons } from '../../features/handoff/csat.js';
import type { HandoffSettings } from '../../features/handoff/settings.js';
import { withHandoffTables } from '../../features/handoff/tables.js';
import type { ChannelCapabilities, OutboundMessage } from '../../model/index.js';
import type { RuntimeEventBus } from '../../runtime/events.js';
import type { Store } from '../../store/database.js';
import { pickLocalized } from '../../text/localized.js';
import { type CustomerTarget, firstNameOf, publishSent, sendToCustomer } from './customer-messages.js';

export type CsatSkipReason =
  | 'disabled'
  | 'no-session'
  | 'no-human-reply'
  | 'erased'
  | 'unreachable'
  | 'already-asked';

/** Asks the customer of the conversation's latest, just ended handoff for a rating; says why not otherwise. */
export async function askForRating(
  store: Store,
  events: RuntimeEventBus,
  settings: HandoffSettings | null,
  target: CustomerTarget,
  capabilities: ChannelCapabilities | undefined,
  at: Date,
): Promise<{ asked: true } | { asked: false; reason: CsatSkipReason }> {
  if (!settings?.csat.enabled) return { asked: false, reason: 'disabled' };
  const csat = settings.csat;
  const db = withHandoffTables(store.db);
  const session = await db
    .selectFrom('handoff_sessions as h')
    .leftJoin('console_users as u', 'u.id', 'h.agent_id')
    .select([
      'h.id',
      'h.state',
      'h.agent_id',
      'h.team',
      'h.first_response_at',
      'h.closed_at',
      'u.display_name',
    ])
    .where('h.conversation_id', '=', target.conversationId)
    .orderBy('h.queued_at', 'desc')
    .executeTakeFirst();
  // Only the handoff this very close or return ended (same instant): closing a chat that went back into a flow
  // long ago must not ask about that old conversation.
  if (
    !session ||
    session.state === 'open' ||
    !session.agent_id ||
    session.closed_at === null ||
    Number(session.closed_at) !== at.getTime()
  )
    return { asked: false, reason: 'no-session' };
  // "After a conversation with a person": a chat taken and closed without a word is not rated.
  if (session.first_response_at === null) return { asked: false, reason: 'no-human-reply' };
  const contact = await sql<{ locale: string; erased_at: number | null }>`
    select locale, erased_at from contacts where id = ${target.contactId}`.execute(store.db);
  const person = contact.rows[0];
  if (!person || (person.erased_at !== null && person.erased_at !== undefined))
    return { asked: false, reason: 'erased' };
  if (await unreachable(store, target.conversationId, at)) return { asked: false, reason: 'unreachable' };

  const scale = csat.scale;
  const inserted = await db
    .insertInto('csat_surveys')
    .values({
      session_id: session.id,
      conversation_id: target.conversationId,
      contact_id: target.contactId,
      channel: target.channel,
      agent_id: session.agent_id,
      team: session.team,
      scale,
      asked_at: at.getTime(),
      expires_at: at.getTime() + csat.answer_hours * 3_600_000,
      score: null,
      answered_at: null,
      comment: null,
      comment_until: null,
    })
    .onConflict((oc) => oc.column('session_id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return { asked: false, reason: 'already-asked' };

  const name = firstNameOf(session.display_name ?? '');
  const template = pickLocalized(
    scale === 'thumbs' ? csat.texts.question_thumbs : csat.texts.question_five,
    person.locale,
  );
  // Five numbered options on a text-only channel would read "1) 1 … 5) 5": the question asks for a digit there.
  const buttons =
    scale === 'thumbs' ||
    (capabilities && capabilities.buttonStyle !== 'numbered-text' && capabilities.maxButtons >= 5)
      ? ratingButtons(scale)
      : undefined;
  const message: OutboundMessage = {
    text: template.replace(/\{\{\s*name\s*\}\}/g, name || (person.locale.startsWith('de') ? 'uns' : 'us')),
    ...(buttons ? { buttons } : {}),
    sender: { role: 'bot', name: '' },
  };
  const sent = await sendToCustomer(
    store.db,
    target,
    message,
    { author: 'system', agentId: null, details: { kind: 'csat-question', sessionId: session.id } },
    at,
  );
  publishSent(events, target, sent);
  return { asked: true };
}

/**
 * The customer has left: the channel's reply window closed (WhatsApp, Messenger), or the last message to them
 * failed for good (blocked the bot, deleted the chat).
 */
async function unreachable(store: Store, conversationId: string, at: Date): Promise<boolean> {
  const conversation = await store.db
    .selectFrom('conversations')
    .select('window_expires_at')
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (!conversation) return true;
  if (conversation.window_expires_at !== null && Number(conversation.window_expires_at) <= at.getTime())
    return true;
  const last = await store.db
    .selectFrom('outbox')
    .select('status')
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return last?.status === 'failed';
}
