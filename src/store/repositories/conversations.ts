/** Conversations: one per contact, created on first contact; state, status, assignment and the service window. */
import type { Kysely } from 'kysely';
import {
  type Contact,
  type Conversation,
  type ConversationState,
  type ConversationStatus,
  EMPTY_CONVERSATION_STATE,
} from '../../model/index.js';
import { newId } from '../ids.js';
import { toJson } from '../json.js';
import type { CoreTables } from '../schema.js';
import { conversationFromRow } from './mapping.js';

type Db = Kysely<CoreTables>;

export async function getConversation(db: Db, id: string): Promise<Conversation | null> {
  const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? conversationFromRow(row) : null;
}

export async function findConversationOfContact(db: Db, contactId: string): Promise<Conversation | null> {
  const row = await db
    .selectFrom('conversations')
    .selectAll()
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return row ? conversationFromRow(row) : null;
}

/** The contact's conversation, created in `bot` status with empty state if there is none yet. */
export async function getOrCreateConversation(db: Db, contact: Contact, now: Date): Promise<Conversation> {
  const found = await findConversationOfContact(db, contact.id);
  if (found) return found;
  const inserted = await db
    .insertInto('conversations')
    .values({
      id: newId(now.getTime()),
      contact_id: contact.id,
      channel: contact.channel,
      status: 'bot',
      state: toJson(EMPTY_CONVERSATION_STATE),
      assigned_agent_id: null,
      window_expires_at: null,
      created_at: now.getTime(),
      updated_at: now.getTime(),
    })
    // A parallel delivery for the same contact may have created it a moment ago: then read that one.
    .onConflict((oc) => oc.column('contact_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return conversationFromRow(inserted);
  const created = await findConversationOfContact(db, contact.id);
  if (!created) throw new Error('conversation could not be created');
  return created;
}

export async function saveConversationState(
  db: Db,
  id: string,
  state: ConversationState,
  now: Date,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ state: toJson(state), updated_at: now.getTime() })
    .where('id', '=', id)
    .execute();
}

export async function setConversationStatus(
  db: Db,
  id: string,
  change: { status: ConversationStatus; assignedAgentId?: string | null },
  now: Date,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({
      status: change.status,
      ...(change.assignedAgentId !== undefined ? { assigned_agent_id: change.assignedAgentId } : {}),
      updated_at: now.getTime(),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Records a customer message on the conversation: extends the service window (never shortens it) and
 * reopens a closed conversation for the bot.
 */
export async function recordInboundOnConversation(
  db: Db,
  conversation: Conversation,
  inboundAt: Date,
  windowHours: number | undefined,
  now: Date,
): Promise<Conversation> {
  const windowEnd =
    windowHours === undefined
      ? conversation.windowExpiresAt
      : new Date(
          Math.max(
            conversation.windowExpiresAt?.getTime() ?? 0,
            inboundAt.getTime() + windowHours * 3_600_000,
          ),
        );
  const status: ConversationStatus = conversation.status === 'closed' ? 'bot' : conversation.status;
  await db
    .updateTable('conversations')
    .set({
      window_expires_at: windowEnd ? windowEnd.getTime() : null,
      status,
      ...(status !== conversation.status ? { assigned_agent_id: null } : {}),
      updated_at: now.getTime(),
    })
    .where('id', '=', conversation.id)
    .execute();
  return {
    ...conversation,
    status,
    assignedAgentId: status !== conversation.status ? null : conversation.assignedAgentId,
    windowExpiresAt: windowEnd,
    updatedAt: now,
  };
}
