/**
 * Assignment rules: agents mark themselves away or available, and with `assignment.mode: round_robin` a new
 * waiting chat goes to the available agent of its team whose last automatic chat is longest ago, as long as they
 * have fewer than `max_chats_per_agent` open chats. "Available" = at the console (a session used in the last few
 * minutes) and not away.
 * The hand-over itself is one conditional UPDATE (still queued, still unowned), so two instances or a colleague
 * clicking "take over" at the same moment never both win.
 */
import { sql } from 'kysely';
import type { HandoffSettings } from '../features/handoff/settings.js';
import { withHandoffTables } from '../features/handoff/tables.js';
import type { Logger } from '../logger.js';
import type { RuntimeEvent, RuntimeEventBus } from '../runtime/events.js';
import type { Store } from '../store/database.js';
import { insertTranscriptMessage } from '../store/repositories/transcript.js';
import { announceSpeaker } from './api/customer-messages.js';
import { IDLE_TIMEOUT_MS } from './auth/sessions.js';

export const AVAILABILITY = ['available', 'away'] as const;
export type Availability = (typeof AVAILABILITY)[number];

/**
 * Signed in and at the console: a session used within this window. The open console asks GET /availability
 * every minute (and any request touches the session at most once a minute), so a closed browser tab stops
 * counting after a few minutes, not after the session's 12-hour idle timeout.
 */
export const ONLINE_WINDOW_MS = 3 * 60_000;

/** Roles that work the queue and may get chats automatically. */
const ASSIGNABLE_ROLES = ['agent', 'supervisor'];

export async function setAvailability(
  store: Store,
  userId: string,
  status: Availability,
  now: Date,
): Promise<void> {
  await withHandoffTables(store.db)
    .insertInto('agent_presence')
    .values({ user_id: userId, status, updated_at: now.getTime(), last_assigned_at: null })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ status, updated_at: now.getTime() }))
    .execute();
}

export interface AgentState {
  id: string;
  displayName: string;
  team: string | null;
  role: string;
  availability: Availability;
  /** At the console: a session used within ONLINE_WINDOW_MS. */
  online: boolean;
  /** Conversations they own right now. */
  openChats: number;
  lastAssignedAt: number | null;
}

/** Every enabled colleague with their availability, whether they are signed in, and their open chats. */
export async function agentStates(store: Store, now: Date): Promise<AgentState[]> {
  const db = withHandoffTables(store.db);
  const t = now.getTime();
  const rows = await db
    .selectFrom('console_users as u')
    .leftJoin('agent_presence as p', 'p.user_id', 'u.id')
    .select([
      'u.id',
      'u.display_name',
      'u.team',
      'u.role',
      'u.created_at',
      'p.status',
      'p.last_assigned_at',
      (eb) =>
        eb
          .selectFrom('console_sessions as s')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('s.user_id', '=', 'u.id')
          .where('s.expires_at', '>', t)
          .where('s.last_seen_at', '>', t - Math.min(ONLINE_WINDOW_MS, IDLE_TIMEOUT_MS))
          .as('sessions'),
      (eb) =>
        eb
          .selectFrom('conversations as c')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('c.assigned_agent_id', '=', 'u.id')
          .where('c.status', '=', 'agent')
          .as('open_chats'),
    ])
    .where('u.disabled', '=', 0)
    .orderBy('u.created_at')
    .orderBy('u.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    displayName: r.display_name,
    team: r.team,
    role: r.role,
    availability: r.status === 'away' ? 'away' : 'available',
    online: Number(r.sessions ?? 0) > 0,
    openChats: Number(r.open_chats ?? 0),
    lastAssignedAt:
      r.last_assigned_at === null || r.last_assigned_at === undefined ? null : Number(r.last_assigned_at),
  }));
}

/** The round-robin choice for a chat of `team`, or null when nobody can take one now. */
export function nextAgent(
  agents: readonly AgentState[],
  team: string | null,
  maxChats: number,
): AgentState | null {
  const candidates = agents.filter(
    (a) =>
      ASSIGNABLE_ROLES.includes(a.role) &&
      a.availability === 'available' &&
      a.online &&
      a.openChats < maxChats &&
      // "Of the team": a chat of a team goes to its members only; a chat without a team to anyone.
      (team === null || a.team === team),
  );
  // Longest since the last automatic chat first; never-assigned agents in the order they were created.
  candidates.sort((a, b) => (a.lastAssignedAt ?? -1) - (b.lastAssignedAt ?? -1));
  return candidates[0] ?? null;
}

interface WaitingChat {
  id: string;
  contactId: string;
  channel: string;
  team: string | null;
  sessionId: string | null;
}

async function waitingChats(store: Store, conversationId?: string): Promise<WaitingChat[]> {
  const db = withHandoffTables(store.db);
  let query = db
    .selectFrom('conversations as c')
    .leftJoin('handoff_sessions as h', (join) =>
      join.onRef('h.conversation_id', '=', 'c.id').on('h.state', '=', 'open'),
    )
    .select(['c.id', 'c.contact_id', 'c.channel', 'h.team', 'h.id as session_id', 'h.reason', 'h.queued_at'])
    .where('c.status', '=', 'queued')
    .where('c.assigned_agent_id', 'is', null);
  if (conversationId) query = query.where('c.id', '=', conversationId);
  // The queue's own order: complaints first, then who waits longest.
  const rows = await query
    .orderBy(sql`case when h.reason = 'complaint' then 0 else 1 end`)
    .orderBy('h.queued_at', 'asc')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    contactId: r.contact_id,
    channel: r.channel,
    team: r.team ?? null,
    sessionId: r.session_id ?? null,
  }));
}

/** Hands the waiting chat to `agent` unless someone was quicker; the events to publish, or null. */
async function claimFor(
  store: Store,
  chat: WaitingChat,
  agent: AgentState,
  now: Date,
): Promise<RuntimeEvent[] | null> {
  return store.db.transaction().execute(async (trx) => {
    const t = now.getTime();
    const result = await trx
      .updateTable('conversations')
      .set({ status: 'agent', assigned_agent_id: agent.id, updated_at: t })
      .where('id', '=', chat.id)
      .where('status', '=', 'queued')
      .where('assigned_agent_id', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return null;
    const hdb = withHandoffTables(trx);
    if (chat.sessionId)
      await hdb
        .updateTable('handoff_sessions')
        .set({ agent_id: agent.id, assigned_at: t })
        .where('id', '=', chat.sessionId)
        .execute();
    await hdb
      .insertInto('agent_presence')
      .values({ user_id: agent.id, status: 'available', updated_at: t, last_assigned_at: t })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_assigned_at: t }))
      .execute();
    const message = await insertTranscriptMessage(
      trx,
      {
        conversationId: chat.id,
        contactId: chat.contactId,
        direction: 'internal',
        author: 'system',
        agentId: agent.id,
        text: `Assigned to ${agent.displayName} (round-robin)`,
        details: { kind: 'assigned', agentId: agent.id, agentName: agent.displayName, rule: 'round_robin' },
      },
      now,
    );
    return [
      { type: 'message-recorded', conversationId: chat.id, message },
      {
        type: 'conversation-changed',
        conversationId: chat.id,
        status: 'agent',
        assignedAgentId: agent.id,
        reason: 'assigned',
      },
    ];
  });
}

export interface AssignerDeps {
  store: Store;
  events: RuntimeEventBus;
  settings: () => HandoffSettings | null;
  logger: Logger;
  now: () => Date;
}

/**
 * Assigns waiting chats by the rules. Runs are queued one after another in this process (two at once would both
 * count an agent's chats before either assigned); across instances the conditional UPDATE keeps it to one owner.
 */
export class Assigner {
  readonly #deps: AssignerDeps;
  #chain: Promise<unknown> = Promise.resolve();
  #unsubscribe: (() => void) | null = null;

  constructor(deps: AssignerDeps) {
    this.#deps = deps;
  }

  /** Listens for new waiting chats. */
  start(): void {
    this.#unsubscribe ??= this.#deps.events.subscribe((event) => {
      if (
        event.type === 'conversation-changed' &&
        event.status === 'queued' &&
        event.assignedAgentId === null
      )
        void this.assign(event.conversationId);
    });
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  /** One waiting chat (when it just queued), or every waiting chat (an agent became available, a chat ended). */
  assign(conversationId?: string): Promise<number> {
    const run = this.#chain.then(() => this.#run(conversationId));
    this.#chain = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      this.#deps.logger.error({ err: error, conversationId }, 'automatic assignment failed');
      return 0;
    });
  }

  async #run(conversationId?: string): Promise<number> {
    const settings = this.#deps.settings();
    if (settings?.assignment.mode !== 'round_robin') return 0;
    const { store, events } = this.#deps;
    const chats = await waitingChats(store, conversationId);
    let assigned = 0;
    for (const chat of chats) {
      const now = this.#deps.now();
      const agent = nextAgent(
        await agentStates(store, now),
        chat.team,
        settings.assignment.max_chats_per_agent,
      );
      if (!agent) continue;
      const published = await claimFor(store, chat, agent, now);
      if (!published) continue;
      for (const event of published) events.publish(event);
      await announceSpeaker(
        store,
        events,
        settings,
        { conversationId: chat.id, contactId: chat.contactId, channel: chat.channel },
        { kind: 'agent-joined', agent: { id: agent.id, displayName: agent.displayName } },
        now,
      );
      assigned += 1;
    }
    return assigned;
  }
}
