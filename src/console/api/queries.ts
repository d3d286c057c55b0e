/**
 * Read models of the console: the inbox lists (with waiting time, channel, reason, last message), one
 * conversation with its contact panel, and the transcript with each outbound line's delivery status.
 */
import { type Kysely, sql } from 'kysely';
import { withHandoffTables } from '../../features/handoff/tables.js';
import type { Store } from '../../store/database.js';
import { contactFromRow } from '../../store/repositories/mapping.js';
import { listTranscript } from '../../store/repositories/transcript.js';
import type { CoreTables } from '../../store/schema.js';
import type { ConsoleUser } from '../auth/users.js';
import { contactNameForReplies } from './reply-variables.js';

export type InboxView = 'waiting' | 'mine' | 'open' | 'closed' | 'all';

export interface InboxItem {
  id: string;
  status: string;
  channel: string;
  contactName: string;
  contactId: string;
  assignedAgentId: string | null;
  assignedAgentName: string | null;
  reason: string | null;
  team: string | null;
  queuedAt: number | null;
  /** Complaints first: 1 for a complaint, 0 otherwise. */
  priority: number;
  /** When the waiting customer's service level runs out (queued_at + target); null unless queued. */
  slaDueAt: number | null;
  updatedAt: number;
  lastMessage: { text: string | null; author: string; at: number } | null;
}

export function contactDisplayName(row: {
  agent_name?: string | null;
  display_name: string | null;
  first_name: string | null;
  last_name: string | null;
  username: string | null;
  phone: string | null;
  channel_contact_id: string;
}): string {
  const full = [row.first_name, row.last_name].filter(Boolean).join(' ');
  return (
    row.agent_name ||
    row.display_name ||
    full ||
    (row.username ? `@${row.username}` : '') ||
    maskPhone(row.phone) ||
    `#${row.channel_contact_id.slice(-4)}`
  );
}

/** Phone numbers are shown masked in lists; the contact panel shows the full number to staff. */
export function maskPhone(phone: string | null): string {
  if (!phone) return '';
  return phone.length <= 4 ? phone : `${'•'.repeat(Math.max(0, phone.length - 4))}${phone.slice(-4)}`;
}

export async function listInbox(
  store: Store,
  user: ConsoleUser,
  view: InboxView,
  search: string | undefined,
  seesAll: boolean,
  slaTarget: (reason: string) => number = () => 10 * 60_000,
): Promise<InboxItem[]> {
  const db = withHandoffTables(store.db);
  let query = db
    .selectFrom('conversations as c')
    .innerJoin('contacts as k', 'k.id', 'c.contact_id')
    .leftJoin('handoff_sessions as h', (join) =>
      join
        .onRef('h.conversation_id', '=', 'c.id')
        .on(
          'h.id',
          '=',
          sql<string>`(select h2.id from handoff_sessions h2 where h2.conversation_id = c.id order by h2.queued_at desc limit 1)`,
        ),
    )
    .leftJoin('console_users as u', 'u.id', 'c.assigned_agent_id')
    .select([
      'c.id',
      'c.status',
      'c.channel',
      'c.contact_id',
      'c.assigned_agent_id',
      'c.updated_at',
      'k.display_name',
      // Not "agent_name": that alias is the owner's name below.
      'k.agent_name as contact_given_name',
      'k.first_name',
      'k.last_name',
      'k.username',
      'k.phone',
      'k.channel_contact_id',
      'h.reason',
      'h.team',
      'h.queued_at',
      'h.state as session_state',
      'h.after_hours',
      'u.display_name as agent_name',
    ]);
  if (view === 'waiting') query = query.where('c.status', '=', 'queued');
  else if (view === 'mine')
    query = query.where('c.status', '=', 'agent').where('c.assigned_agent_id', '=', user.id);
  else if (view === 'open') query = query.where('c.status', 'in', ['queued', 'agent']);
  else if (view === 'closed')
    query = query.where((eb) =>
      eb.or([
        eb('c.status', '=', 'closed'),
        eb.and([eb('c.status', '=', 'bot'), eb('h.id', 'is not', null)]),
      ]),
    );
  if (!seesAll) {
    query = query.where((eb) =>
      eb.or([
        eb('c.assigned_agent_id', '=', user.id),
        eb.and([
          eb('c.assigned_agent_id', 'is', null),
          // No team: every unassigned conversation. (Not eb.val(true): SQLite cannot bind a boolean.)
          user.team === null
            ? sql<boolean>`1 = 1`
            : eb.or([eb('h.team', 'is', null), eb('h.team', '=', user.team)]),
        ]),
      ]),
    );
  }
  const term = search?.trim().toLowerCase();
  if (term) {
    const like = `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(
          sql`lower(coalesce(k.agent_name, '') || ' ' || coalesce(k.display_name, '') || ' ' || coalesce(k.first_name, '') || ' ' || coalesce(k.last_name, '') || ' ' || coalesce(k.username, ''))`,
          'like',
          like,
        ),
        // Digits only: a term without any must not match every phone (and PostgreSQL refuses a NUL byte).
        term.replace(/[^\d+]/g, '')
          ? eb(sql`coalesce(k.phone, '')`, 'like', `%${term.replace(/[^\d+]/g, '')}%`)
          : sql<boolean>`1 = 0`,
        eb.exists(
          eb
            .selectFrom('messages as m')
            .select('m.id')
            .whereRef('m.conversation_id', '=', 'c.id')
            .where(sql`lower(coalesce(m.text, ''))`, 'like', like),
        ),
      ]),
    );
  }
  // The queue: complaints first, then who waits longest; other views: latest activity first.
  query =
    view === 'waiting'
      ? query
          .orderBy(sql`case when h.reason = 'complaint' then 0 else 1 end`)
          .orderBy('h.queued_at', 'asc')
          .orderBy('c.updated_at', 'asc')
      : query.orderBy('c.updated_at', 'desc');
  const rows = await query.limit(200).execute();
  const last = await lastMessages(
    store.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    channel: r.channel,
    contactName: contactDisplayName({ ...r, agent_name: r.contact_given_name }),
    contactId: r.contact_id,
    assignedAgentId: r.assigned_agent_id,
    assignedAgentName: r.agent_name ?? null,
    reason: r.reason ?? null,
    team: r.team ?? null,
    queuedAt: r.queued_at === null || r.queued_at === undefined ? null : Number(r.queued_at),
    priority: r.reason === 'complaint' ? 1 : 0,
    slaDueAt:
      r.status === 'queued' &&
      r.queued_at !== null &&
      r.queued_at !== undefined &&
      Number(r.after_hours) !== 1
        ? Number(r.queued_at) + slaTarget(r.reason ?? '')
        : null,
    updatedAt: Number(r.updated_at),
    lastMessage: last.get(r.id) ?? null,
  }));
}

async function lastMessages(
  db: Kysely<CoreTables>,
  ids: string[],
): Promise<Map<string, { text: string | null; author: string; at: number }>> {
  const result = new Map<string, { text: string | null; author: string; at: number }>();
  if (ids.length === 0) return result;
  const rows = await db
    .selectFrom('messages as m')
    .select(['m.conversation_id', 'm.text', 'm.author', 'm.created_at'])
    .where('m.conversation_id', 'in', ids)
    .where('m.direction', '!=', 'internal')
    .where('m.id', '=', (eb) =>
      eb
        .selectFrom('messages as m2')
        .select((e) => e.fn.max('m2.id').as('max_id'))
        .whereRef('m2.conversation_id', '=', 'm.conversation_id')
        .where('m2.direction', '!=', 'internal'),
    )
    .execute();
  for (const row of rows)
    result.set(row.conversation_id, { text: row.text, author: row.author, at: Number(row.created_at) });
  return result;
}

/** What the access check needs: owner and the team of the latest handoff. */
export async function conversationAccessInfo(
  store: Store,
  id: string,
): Promise<{
  status: string;
  assignedAgentId: string | null;
  team: string | null;
  contactId: string;
  channel: string;
} | null> {
  const db = withHandoffTables(store.db);
  const row = await db
    .selectFrom('conversations')
    .select(['status', 'assigned_agent_id', 'contact_id', 'channel'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  const session = await db
    .selectFrom('handoff_sessions')
    .select('team')
    .where('conversation_id', '=', id)
    .orderBy('queued_at', 'desc')
    .executeTakeFirst();
  return {
    status: row.status,
    assignedAgentId: row.assigned_agent_id,
    team: session?.team ?? null,
    contactId: row.contact_id,
    channel: row.channel,
  };
}

export function mayAccess(
  user: ConsoleUser,
  seesAll: boolean,
  info: { assignedAgentId: string | null; team: string | null },
): boolean {
  if (seesAll || info.assignedAgentId === user.id) return true;
  if (info.assignedAgentId !== null) return false;
  return user.team === null || info.team === null || info.team === user.team;
}

export async function conversationDetail(store: Store, id: string) {
  const db = withHandoffTables(store.db);
  const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const contactRow = await db
    .selectFrom('contacts')
    .selectAll()
    .where('id', '=', row.contact_id)
    .executeTakeFirstOrThrow();
  const contact = contactFromRow(contactRow);
  const session = await db
    .selectFrom('handoff_sessions')
    .selectAll()
    .where('conversation_id', '=', id)
    .orderBy('queued_at', 'desc')
    .executeTakeFirst();
  const agent = row.assigned_agent_id
    ? await db
        .selectFrom('console_users')
        .select(['id', 'display_name'])
        .where('id', '=', row.assigned_agent_id)
        .executeTakeFirst()
    : undefined;
  const handoffs = await db
    .selectFrom('handoff_sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('contact_id', '=', contact.id)
    .executeTakeFirst();
  const history = await contactHistory(store, contact.id);
  return {
    conversation: {
      id: row.id,
      status: row.status,
      channel: row.channel,
      assignedAgentId: row.assigned_agent_id,
      assignedAgentName: agent?.display_name ?? null,
      windowExpiresAt: row.window_expires_at === null ? null : Number(row.window_expires_at),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
      flow: (() => {
        try {
          const state = JSON.parse(row.state) as { flowId?: string | null; stepId?: string | null };
          return state.flowId ? `${state.flowId}${state.stepId ? `.${state.stepId}` : ''}` : null;
        } catch {
          return null;
        }
      })(),
    },
    session: session
      ? {
          reason: session.reason,
          team: session.team,
          state: session.state,
          queuedAt: Number(session.queued_at),
          assignedAt: session.assigned_at === null ? null : Number(session.assigned_at),
          firstResponseAt: session.first_response_at === null ? null : Number(session.first_response_at),
          afterHours: Number(session.after_hours) === 1,
        }
      : null,
    contact: {
      id: contact.id,
      name: contactDisplayName(contactRow),
      /** What the platform told us (null for web-chat visitors) and the name staff gave, each on its own. */
      profileName: contactDisplayName({ ...contactRow, agent_name: null }),
      agentName: contactRow.agent_name ?? null,
      firstName: contactFirstName(contactRow),
      /** {{contact.name}} in replies: empty for anonymous contacts. */
      replyName: contactNameForReplies(contactRow),
      channel: contact.channel,
      username: contact.username,
      phone: contact.phone,
      locale: contact.locale,
      tags: contact.tags,
      attributes: contact.attributes,
      createdAt: contact.createdAt.getTime(),
      lastInboundAt: contact.lastInboundAt?.getTime() ?? null,
      handoffCount: Number(handoffs?.n ?? 0),
    },
    history,
    subscriptions: await readSubscriptions(store.db, contact.id),
    referrals: await readReferralStats(store.db, contact.id),
  };
}

/**
 * The first name for greetings ({{contact.firstName}}): staff's name, else the platform's first name, else the
 * first word of its display name; empty for anonymous contacts ("#hZ06", "@user" and phone numbers are no names).
 */
export function contactFirstName(row: {
  agent_name?: string | null;
  display_name: string | null;
  first_name: string | null;
}): string {
  const word = (value: string | null | undefined) => value?.trim().split(/\s+/)[0] ?? '';
  return word(row.agent_name) || word(row.first_name) || word(row.display_name);
}

export interface HistoryEntry {
  sessionId: string;
  queuedAt: number;
  closedAt: number | null;
  state: string;
  reason: string;
  team: string | null;
  agentName: string | null;
  /** The customer's rating of that conversation (1–5), if they gave one. */
  rating: number | null;
}

/** The contact's conversations with the team (one per handoff), newest first. */
export async function contactHistory(store: Store, contactId: string, limit = 20): Promise<HistoryEntry[]> {
  const rows = await withHandoffTables(store.db)
    .selectFrom('handoff_sessions as h')
    .leftJoin('console_users as u', 'u.id', 'h.agent_id')
    .leftJoin('csat_surveys as c', 'c.session_id', 'h.id')
    .select([
      'h.id',
      'h.queued_at',
      'h.closed_at',
      'h.state',
      'h.reason',
      'h.team',
      'u.display_name',
      'c.score',
    ])
    .where('h.contact_id', '=', contactId)
    .orderBy('h.queued_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    sessionId: r.id,
    queuedAt: Number(r.queued_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
    state: r.state,
    reason: r.reason,
    team: r.team,
    agentName: r.display_name ?? null,
    rating: r.score === null || r.score === undefined ? null : Number(r.score),
  }));
}

/** Newsletter topics of the contact, read defensively: the newsletter feature owns that table. */
async function readSubscriptions(
  db: Kysely<CoreTables>,
  contactId: string,
): Promise<Array<{ topic: string; status: string; since: number | null }>> {
  try {
    const result = await sql<{
      topic: string;
      status: string;
      confirmed_at: number | null;
      requested_at: number | null;
    }>`
      select topic, status, confirmed_at, requested_at from newsletter_subscriptions where contact_id = ${contactId} order by topic`.execute(
      db,
    );
    return result.rows.map((r) => ({
      topic: r.topic,
      status: r.status,
      since:
        r.confirmed_at === null
          ? r.requested_at === null
            ? null
            : Number(r.requested_at)
          : Number(r.confirmed_at),
    }));
  } catch {
    return [];
  }
}

/** Referral figures of the contact (as referrer, and who referred them), read defensively. */
async function readReferralStats(
  db: Kysely<CoreTables>,
  contactId: string,
): Promise<{ clicks: number; joined: number; referredBy: string | null } | null> {
  try {
    const clicks = await sql<{
      n: number;
    }>`select count(*) as n from referral_clicks where referrer_contact_id = ${contactId}`.execute(db);
    const joined = await sql<{
      n: number;
    }>`select count(*) as n from referral_attributions where referrer_contact_id = ${contactId}`.execute(db);
    let referredBy: string | null = null;
    try {
      const by = await sql<{
        name: string | null;
      }>`select k.display_name as name from referral_attributions a join contacts k on k.id = a.referrer_contact_id where a.contact_id = ${contactId} limit 1`.execute(
        db,
      );
      referredBy = by.rows[0]?.name ?? null;
    } catch {
      referredBy = null;
    }
    return { clicks: Number(clicks.rows[0]?.n ?? 0), joined: Number(joined.rows[0]?.n ?? 0), referredBy };
  } catch {
    return null;
  }
}

export async function transcriptWithDelivery(
  store: Store,
  conversationId: string,
  before: string | undefined,
  limit: number,
) {
  const page = await listTranscript(store.db, conversationId, { limit, ...(before ? { before } : {}) });
  const outboxIds = page.messages.map((m) => m.outboxId).filter((id): id is string => id !== null);
  const statuses = new Map<string, { status: string; error: string | null }>();
  if (outboxIds.length > 0) {
    const rows = await store.db
      .selectFrom('outbox')
      .select(['id', 'status', 'last_error'])
      .where('id', 'in', outboxIds)
      .execute();
    for (const row of rows) statuses.set(row.id, { status: row.status, error: row.last_error });
  }
  const agentIds = [
    ...new Set(page.messages.map((m) => m.agentId).filter((id): id is string => id !== null)),
  ];
  const names = new Map<string, string>();
  if (agentIds.length > 0) {
    const rows = await withHandoffTables(store.db)
      .selectFrom('console_users')
      .select(['id', 'display_name'])
      .where('id', 'in', agentIds)
      .execute();
    for (const row of rows) names.set(row.id, row.display_name);
  }
  return {
    nextBefore: page.nextBefore,
    messages: page.messages.map((m) => ({
      ...m,
      createdAt: m.createdAt.getTime(),
      agentName: m.agentId ? (names.get(m.agentId) ?? null) : null,
      delivery: m.outboxId ? (statuses.get(m.outboxId) ?? null) : null,
    })),
  };
}
