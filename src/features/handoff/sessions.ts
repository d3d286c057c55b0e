/**
 * The handoff state machine on the store: queued → agent (atomic take-over) → returned to the bot or closed.
 * Every change is one transaction over the conversation row, the handoff session row and a system line in the
 * transcript; the caller publishes the returned events after commit.
 */
import { type Kysely, sql } from 'kysely';
import type { ConversationStatus } from '../../model/index.js';
import type { RuntimeEvent } from '../../runtime/events.js';
import type { Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';
import { insertTranscriptMessage } from '../../store/repositories/transcript.js';
import type { CoreTables } from '../../store/schema.js';
import { type HandoffSessionsTable, withHandoffTables } from './tables.js';

export type HandoffSessionRow = HandoffSessionsTable;

export interface NewHandoff {
  conversationId: string;
  contactId: string;
  channel: string;
  reason: string;
  team: string | null;
  afterHours: boolean;
}

/** The open session of the conversation, or a new one. Idempotent: a second trigger while queued reuses it. */
export async function openHandoffSession(
  db: Kysely<CoreTables>,
  handoff: NewHandoff,
  now: Date,
): Promise<{ session: HandoffSessionRow; created: boolean }> {
  const hdb = withHandoffTables(db);
  const existing = await findOpenSession(db, handoff.conversationId);
  if (existing) return { session: existing, created: false };
  const row: HandoffSessionRow = {
    id: newId(now.getTime()),
    conversation_id: handoff.conversationId,
    contact_id: handoff.contactId,
    channel: handoff.channel,
    reason: handoff.reason,
    team: handoff.team,
    state: 'open',
    agent_id: null,
    queued_at: now.getTime(),
    assigned_at: null,
    first_response_at: null,
    closed_at: null,
    after_hours: handoff.afterHours ? 1 : 0,
    waiting_notice_sent: 0,
  };
  await hdb.insertInto('handoff_sessions').values(row).execute();
  return { session: row, created: true };
}

export async function findOpenSession(
  db: Kysely<CoreTables>,
  conversationId: string,
): Promise<HandoffSessionRow | null> {
  const row = await withHandoffTables(db)
    .selectFrom('handoff_sessions')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('state', '=', 'open')
    .orderBy('queued_at', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

/** Marks the "already waiting" notice as sent; true only for the one caller that flipped it. */
export async function claimWaitingNotice(db: Kysely<CoreTables>, sessionId: string): Promise<boolean> {
  const result = await withHandoffTables(db)
    .updateTable('handoff_sessions')
    .set({ waiting_notice_sent: 1 })
    .where('id', '=', sessionId)
    .where('waiting_notice_sent', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Median minutes between queued and taken over of the team's recent handoffs in office hours; null if too few. */
export async function medianWaitMinutes(
  db: Kysely<CoreTables>,
  team: string | null,
  since: Date,
  minSamples: number,
): Promise<number | null> {
  let query = withHandoffTables(db)
    .selectFrom('handoff_sessions')
    .select(['queued_at', 'assigned_at'])
    .where('assigned_at', 'is not', null)
    .where('after_hours', '=', 0)
    .where('queued_at', '>=', since.getTime());
  query = team === null ? query.where('team', 'is', null) : query.where('team', '=', team);
  const rows = await query.orderBy('queued_at', 'desc').limit(500).execute();
  if (rows.length < minSamples) return null;
  const waits = rows.map((r) => Number(r.assigned_at) - Number(r.queued_at)).sort((a, b) => a - b);
  const middle = Math.floor(waits.length / 2);
  const median = waits.length % 2 === 1 ? waits[middle]! : (waits[middle - 1]! + waits[middle]!) / 2;
  return Math.max(1, Math.round(median / 60_000));
}

export class OwnershipConflict extends Error {
  constructor(
    readonly ownerId: string | null,
    readonly status: ConversationStatus | 'missing',
  ) {
    super(ownerId ? 'another agent already owns this conversation' : `the conversation is ${status}`);
    this.name = 'OwnershipConflict';
  }
}

export interface HandoffChange {
  events: RuntimeEvent[];
}

type Trx = Kysely<CoreTables>;

async function systemLine(
  trx: Trx,
  conversationId: string,
  contactId: string,
  text: string,
  details: Record<string, unknown>,
  agentId: string | null,
  now: Date,
): Promise<RuntimeEvent> {
  const message = await insertTranscriptMessage(
    trx,
    { conversationId, contactId, direction: 'internal', author: 'system', agentId, text, details },
    now,
  );
  return { type: 'message-recorded', conversationId, message };
}

async function conversationRow(trx: Trx, id: string) {
  return trx
    .selectFrom('conversations')
    .select(['id', 'contact_id', 'channel', 'status', 'assigned_agent_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Takes the conversation for `agentId`. One conditional UPDATE decides: of two agents racing, exactly one row
 * update succeeds and the other gets an OwnershipConflict naming the owner.
 */
export async function takeOver(
  store: Store,
  conversationId: string,
  agent: { id: string; name: string; team: string | null },
  now: Date,
): Promise<HandoffChange> {
  return store.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('conversations')
      .set({ status: 'agent', assigned_agent_id: agent.id, updated_at: now.getTime() })
      .where('id', '=', conversationId)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', ['bot', 'queued', 'closed']), eb('assigned_agent_id', 'is', null)]),
          eb('assigned_agent_id', '=', agent.id),
        ]),
      )
      .executeTakeFirst();
    const row = await conversationRow(trx, conversationId);
    if (!row) throw new OwnershipConflict(null, 'missing');
    if (Number(result.numUpdatedRows) !== 1)
      throw new OwnershipConflict(row.assigned_agent_id, row.status as ConversationStatus);
    const hdb = withHandoffTables(trx);
    const { session } = await openHandoffSession(
      trx,
      {
        conversationId,
        contactId: row.contact_id,
        channel: row.channel,
        reason: 'agent_takeover',
        team: agent.team,
        afterHours: false,
      },
      now,
    );
    if (session.agent_id !== agent.id) {
      await hdb
        .updateTable('handoff_sessions')
        .set({ agent_id: agent.id, assigned_at: session.assigned_at ?? now.getTime() })
        .where('id', '=', session.id)
        .execute();
    }
    const line = await systemLine(
      trx,
      conversationId,
      row.contact_id,
      `${agent.name} took over`,
      { kind: 'takeover', agentId: agent.id, agentName: agent.name },
      agent.id,
      now,
    );
    return {
      events: [
        line,
        {
          type: 'conversation-changed',
          conversationId,
          status: 'agent',
          assignedAgentId: agent.id,
          reason: 'taken over',
        },
      ],
    };
  });
}

/** A supervisor (or the owner) hands the conversation to a colleague. */
export async function assignTo(
  store: Store,
  conversationId: string,
  target: { id: string; name: string },
  by: { id: string; name: string },
  now: Date,
): Promise<HandoffChange> {
  return store.db.transaction().execute(async (trx) => {
    const row = await conversationRow(trx, conversationId);
    if (!row) throw new OwnershipConflict(null, 'missing');
    await trx
      .updateTable('conversations')
      .set({ status: 'agent', assigned_agent_id: target.id, updated_at: now.getTime() })
      .where('id', '=', conversationId)
      .execute();
    const { session } = await openHandoffSession(
      trx,
      {
        conversationId,
        contactId: row.contact_id,
        channel: row.channel,
        reason: 'assigned',
        team: null,
        afterHours: false,
      },
      now,
    );
    await withHandoffTables(trx)
      .updateTable('handoff_sessions')
      .set({ agent_id: target.id, assigned_at: session.assigned_at ?? now.getTime() })
      .where('id', '=', session.id)
      .execute();
    const line = await systemLine(
      trx,
      conversationId,
      row.contact_id,
      `${by.name} assigned the conversation to ${target.name}`,
      { kind: 'assigned', agentId: target.id, agentName: target.name, byId: by.id },
      by.id,
      now,
    );
    return {
      events: [
        line,
        {
          type: 'conversation-changed',
          conversationId,
          status: 'agent',
          assignedAgentId: target.id,
          reason: 'assigned',
        },
      ],
    };
  });
}

/** Records the agent's first reply of the session (first response time). */
export async function recordAgentResponse(
  db: Kysely<CoreTables>,
  conversationId: string,
  now: Date,
): Promise<void> {
  await withHandoffTables(db)
    .updateTable('handoff_sessions')
    .set({ first_response_at: now.getTime() })
    .where('conversation_id', '=', conversationId)
    .where('state', '=', 'open')
    .where('first_response_at', 'is', null)
    .execute();
}

/** Ends the open session (returned to the bot or closed). */
export async function endSession(
  db: Kysely<CoreTables>,
  conversationId: string,
  state: 'returned' | 'closed',
  now: Date,
): Promise<void> {
  await withHandoffTables(db)
    .updateTable('handoff_sessions')
    .set({ state, closed_at: now.getTime() })
    .where('conversation_id', '=', conversationId)
    .where('state', '=', 'open')
    .execute();
}

/** Closes the conversation: nobody owns it; the next customer message reopens it for the bot. */
export async function closeConversation(
  store: Store,
  conversationId: string,
  by: { id: string; name: string },
  now: Date,
): Promise<HandoffChange> {
  return store.db.transaction().execute(async (trx) => {
    const row = await conversationRow(trx, conversationId);
    if (!row) throw new OwnershipConflict(null, 'missing');
    await trx
      .updateTable('conversations')
      .set({
        status: 'closed',
        assigned_agent_id: null,
        state: sql<string>`${JSON.stringify({ flowId: null, stepId: null, awaiting: null, vars: {}, misses: 0 })}`,
        updated_at: now.getTime(),
      })
      .where('id', '=', conversationId)
      .execute();
    await endSession(trx, conversationId, 'closed', now);
    const line = await systemLine(
      trx,
      conversationId,
      row.contact_id,
      `${by.name} closed the conversation`,
      { kind: 'closed', byId: by.id },
      by.id,
      now,
    );
    return {
      events: [
        line,
        {
          type: 'conversation-changed',
          conversationId,
          status: 'closed',
          assignedAgentId: null,
          reason: 'closed',
        },
      ],
    };
  });
}
