/**
 * Stores the result of one turn in ONE transaction: the new state, the replies (outbox rows of purpose
 * `reply` with their linked transcript lines), the engine's effects, and the inbound event marked done.
 * If the event was no longer pending (another instance handled it), everything is rolled back.
 */
import type { Kysely } from 'kysely';
import type { EngineEffect } from '../engine/actions.js';
import type { TurnOutput } from '../engine/types.js';
import type { Contact, Conversation, ConversationStatus, OutboundMessage } from '../model/index.js';
import { enqueueOutbound } from '../outbox/enqueue.js';
import type { Store } from '../store/database.js';
import { rememberContactAttributes, setContactLocale, tagContact } from '../store/repositories/contacts.js';
import { saveConversationState, setConversationStatus } from '../store/repositories/conversations.js';
import { completeInboundEvent } from '../store/repositories/inbound-events.js';
import type { TranscriptMessage } from '../store/repositories/mapping.js';
import { insertTranscriptMessage } from '../store/repositories/transcript.js';
import type { CoreTables } from '../store/schema.js';
import { apologyMessage } from './apology.js';

export interface TurnToCommit {
  eventId: string;
  contact: Contact;
  conversation: Conversation;
  /** Null when nothing ran (conversation owned by a person and no interceptor answered). */
  output: TurnOutput | null;
  /** Set when the engine, an action or an interceptor threw: the event is marked failed and an apology sent. */
  error: string | null;
}

export interface CommittedTurn {
  committed: boolean;
  transcript: TranscriptMessage[];
  outboxIds: string[];
  statusChange: { status: ConversationStatus; assignedAgentId: string | null; reason?: string } | null;
}

export async function commitTurn(store: Store, turn: TurnToCommit, now: Date): Promise<CommittedTurn> {
  class AlreadyHandled extends Error {}
  try {
    return await store.db.transaction().execute(async (trx) => {
      const done = await completeInboundEvent(
        trx,
        turn.eventId,
        turn.error === null ? { status: 'processed' } : { status: 'failed', error: turn.error },
        now,
      );
      if (!done) throw new AlreadyHandled();

      const transcript: TranscriptMessage[] = [];
      const outboxIds: string[] = [];
      let statusChange: CommittedTurn['statusChange'] = null;
      const { contact, conversation, output } = turn;

      if (output) {
        await saveConversationState(trx, conversation.id, output.state, now);
        await sendReplies(trx, turn, output.messages, now, transcript, outboxIds);
        statusChange = await applyEffects(
          trx,
          store.dialect === 'postgres',
          turn,
          output.effects,
          now,
          transcript,
        );
      }
      if (turn.error !== null) {
        // The locale may have changed in this very turn's effects; the apology follows the contact's choice so far.
        await sendReplies(trx, turn, [apologyMessage(contact.locale)], now, transcript, outboxIds, {
          apology: true,
        });
      }
      return { committed: true, transcript, outboxIds, statusChange };
    });
  } catch (error) {
    if (error instanceof AlreadyHandled)
      return { committed: false, transcript: [], outboxIds: [], statusChange: null };
    throw error;
  }
}

async function sendReplies(
  trx: Kysely<CoreTables>,
  turn: TurnToCommit,
  messages: readonly OutboundMessage[],
  now: Date,
  transcript: TranscriptMessage[],
  outboxIds: string[],
  extraDetails: Record<string, unknown> = {},
): Promise<void> {
  if (messages.length === 0) return;
  const ids = await enqueueOutbound(
    trx,
    messages.map((message) => ({
      contactId: turn.contact.id,
      conversationId: turn.conversation.id,
      channel: turn.conversation.channel,
      message,
      purpose: 'reply' as const,
    })),
    now,
  );
  for (const [index, message] of messages.entries()) {
    const outboxId = ids[index]!;
    outboxIds.push(outboxId);
    transcript.push(
      await insertTranscriptMessage(
        trx,
        {
          conversationId: turn.conversation.id,
          contactId: turn.contact.id,
          direction: 'out',
          author: 'bot',
          text: message.text ?? null,
          details: outboundDetails(message, extraDetails),
          outboxId,
          inboundEventId: turn.eventId,
        },
        now,
      ),
    );
  }
}

function outboundDetails(
  message: OutboundMessage,
  extra: Record<string, unknown>,
): Record<string, unknown> | null {
  const { text: _text, ...rest } = message;
  const details = { ...rest, ...extra };
  return Object.keys(details).length > 0 ? details : null;
}

async function applyEffects(
  trx: Kysely<CoreTables>,
  lockRow: boolean,
  turn: TurnToCommit,
  effects: readonly EngineEffect[],
  now: Date,
  transcript: TranscriptMessage[],
): Promise<CommittedTurn['statusChange']> {
  let statusChange: CommittedTurn['statusChange'] = null;
  const contactId = turn.contact.id;
  for (const effect of effects) {
    switch (effect.kind) {
      case 'handoff': {
        await setConversationStatus(
          trx,
          turn.conversation.id,
          { status: 'queued', assignedAgentId: null },
          now,
        );
        statusChange = { status: 'queued', assignedAgentId: null, reason: effect.reason };
        transcript.push(
          await insertTranscriptMessage(
            trx,
            {
              conversationId: turn.conversation.id,
              contactId,
              direction: 'internal',
              author: 'system',
              text: `Handoff: ${effect.reason}`,
              details: {
                kind: 'handoff',
                reason: effect.reason,
                ...(effect.team ? { team: effect.team } : {}),
              },
              inboundEventId: turn.eventId,
            },
            now,
          ),
        );
        break;
      }
      case 'set-locale':
        await setContactLocale(trx, contactId, effect.locale, { lockRow });
        break;
      case 'tag-contact':
        await tagContact(trx, contactId, effect, { lockRow });
        break;
      case 'remember':
        await rememberContactAttributes(trx, contactId, effect.attributes, { lockRow });
        break;
      case 'forget-input':
        await redactInput(trx, turn, effect.values, effect.marker);
        break;
    }
  }
  return statusChange;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `conversation.forget`: the customer's lines of this conversation that contain a forgotten value become the
 * marker; their stored inbound events (raw platform payload included) keep their shape, the value is replaced
 * inside the JSON text (its JSON-escaped form, so the payload stays valid JSON). Same transaction as the turn.
 */
async function redactInput(
  trx: Kysely<CoreTables>,
  turn: TurnToCommit,
  values: readonly string[],
  marker: string,
): Promise<void> {
  if (values.length === 0) return;
  const plain = new RegExp(values.map(escapeRegExp).join('|'), 'i');
  const inJson = new RegExp(values.map((v) => escapeRegExp(JSON.stringify(v).slice(1, -1))).join('|'), 'gi');
  const lines = await trx
    .selectFrom('messages')
    .select(['id', 'text'])
    .where('conversation_id', '=', turn.conversation.id)
    .where('direction', '=', 'in')
    .execute();
  for (const line of lines) {
    if (line.text === null || !plain.test(line.text)) continue;
    await trx
      .updateTable('messages')
      .set({ text: marker, details: null })
      .where('id', '=', line.id)
      .execute();
  }
  const events = await trx
    .selectFrom('inbound_events')
    .select(['id', 'message'])
    .where('contact_id', '=', turn.contact.id)
    .execute();
  for (const event of events) {
    const message = String(event.message);
    const redacted = message.replace(inJson, marker);
    if (redacted !== message)
      await trx.updateTable('inbound_events').set({ message: redacted }).where('id', '=', event.id).execute();
  }
}
