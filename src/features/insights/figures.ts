/**
 * The figures of the results dashboard, each one SQL query (or a few) over the tables the features already
 * write, the same on SQLite and PostgreSQL. Every figure answers a table: named columns and rows; the chart,
 * the JSON API and the CSV download all show exactly these rows. Days are UTC calendar days.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Store } from '../../store/database.js';
import { buildLeaderboard, buildReport } from '../referrals/report.js';
import type { ReferralTables } from '../referrals/tables.js';

export type Cell = string | number | null;
export type FigureRow = Record<string, Cell>;

export interface FigureTable {
  figure: FigureName;
  from: string;
  to: string;
  /** Channels the figure was limited to; empty = all. */
  channels: string[];
  columns: string[];
  rows: FigureRow[];
  /** Figures over the whole range (answer rate, sums) where the figure has them. */
  summary?: Record<string, number | null>;
}

export const FIGURE_NAMES = [
  'conversations',
  'contacts',
  'service',
  'service-feedback',
  'unanswered',
  'newsletter',
  'broadcasts',
  'referrals',
  'referrals-geo',
  'top-referrers',
  'leaderboard',
  'events',
  'handoff',
  'csat',
] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];

export interface FigureQuery {
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Empty = every channel. */
  channels: readonly string[];
  /** Referral figures: one campaign only. */
  campaign?: string;
  /** Lists (unanswered, top referrers, leaderboard): at most this many rows. */
  limit: number;
}

/** Unsubscribes and replies within this time after a broadcast reached someone count in its funnel. */
export const FUNNEL_WINDOW_MS = 48 * 60 * 60 * 1000;

type Rows = Array<Record<string, unknown>>;

function dayOf(store: Store, column: RawBuilder<unknown>): RawBuilder<string> {
  return store.dialect === 'postgres'
    ? sql<string>`to_char(to_timestamp(${column} / 1000.0) at time zone 'UTC', 'YYYY-MM-DD')`
    : sql<string>`strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;
}

function inRange(column: RawBuilder<unknown>, q: FigureQuery): RawBuilder<unknown> {
  return sql`${column} >= ${q.from.getTime()} and ${column} < ${q.to.getTime()}`;
}

/** `and <column> in (…)` when channels are chosen, nothing otherwise. */
function channelFilter(column: RawBuilder<unknown>, q: FigureQuery): RawBuilder<unknown> {
  if (q.channels.length === 0) return sql``;
  return sql` and ${column} in (${sql.join([...q.channels])})`;
}

const col = (name: string) => sql.raw(name);
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

async function run(store: Store, query: RawBuilder<unknown>): Promise<Rows> {
  const result = await query.execute(store.db);
  return result.rows as Rows;
}

function table(q: FigureQuery, figure: FigureName, columns: string[], rows: FigureRow[]): FigureTable {
  return {
    figure,
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    channels: [...q.channels],
    columns,
    rows,
  };
}

/** Conversations per day and channel: conversations with at least one message from the customer that day. */
async function conversations(store: Store, q: FigureQuery): Promise<FigureTable> {
  const day = dayOf(store, col('m.created_at'));
  const rows = await run(
    store,
    sql`select ${day} as day, v.channel as channel, count(distinct m.conversation_id) as conversations
      from messages m join conversations v on v.id = m.conversation_id
      where m.direction = 'in' and ${inRange(col('m.created_at'), q)}${channelFilter(col('v.channel'), q)}
      group by ${day}, v.channel order by day, channel`,
  );
  return table(
    q,
    'conversations',
    ['day', 'channel', 'conversations'],
    rows.map((r) => ({
      day: String(r.day),
      channel: String(r.channel),
      conversations: num(r.conversations),
    })),
  );
}

/** Contacts who wrote on a day: new (first seen that day) or returning. */
async function contacts(store: Store, q: FigureQuery): Promise<FigureTable> {
  const day = dayOf(store, col('m.created_at'));
  const firstDay = dayOf(store, col('c.created_at'));
  const rows = await run(
    store,
    sql`select day, sum(case when is_new = 1 then 1 else 0 end) as new_contacts,
        sum(case when is_new = 1 then 0 else 1 end) as returning_contacts
      from (select distinct ${day} as day, m.contact_id as contact_id,
              case when ${firstDay} = ${day} then 1 else 0 end as is_new
            from messages m join contacts c on c.id = m.contact_id
            where m.direction = 'in' and ${inRange(col('m.created_at'), q)}${channelFilter(col('c.channel'), q)}) d
      group by day order by day`,
  );
  return table(
    q,
    'contacts',
    ['day', 'new_contacts', 'returning_contacts'],
    rows.map((r) => ({
      day: String(r.day),
      new_contacts: num(r.new_contacts),
      returning_contacts: num(r.returning_contacts),
    })),
  );
}

/** Service questions per day: answered, asked back, declined (faq.answer outcomes) and handed to a person. */
async function service(store: Store, q: FigureQuery): Promise<FigureTable> {
  const day = dayOf(store, col('created_at'));
  const outcomes = await run(
    store,
    sql`select ${day} as day,
        sum(case when outcome = 'answered' then 1 else 0 end) as answered,
        sum(case when outcome = 'clarify' then 1 else 0 end) as asked_back,
        sum(case when outcome = 'unknown' then 1 else 0 end) as declined
      from insight_action_outcomes
      where action = 'faq.answer' and ${inRange(col('created_at'), q)}${channelFilter(col('channel'), q)}
      group by ${day}`,
  );
  const handoffDay = dayOf(store, col('queued_at'));
  const handoffs = await run(
    store,
    sql`select ${handoffDay} as day, count(*) as handed_over from handoff_sessions
      where ${inRange(col('queued_at'), q)}${channelFilter(col('channel'), q)} group by ${handoffDay}`,
  );
  const byDay = new Map<string, FigureRow>();
  const rowOf = (d: string) => {
    let row = byDay.get(d);
    if (!row) {
      row = { day: d, answered: 0, asked_back: 0, declined: 0, handed_over: 0 };
      byDay.set(d, row);
    }
    return row;
  };
  for (const r of outcomes) {
    const row = rowOf(String(r.day));
    row.answered = num(r.answered);
    row.asked_back = num(r.asked_back);
    row.declined = num(r.declined);
  }
  for (const r of handoffs) rowOf(String(r.day)).handed_over = num(r.handed_over);
  const rows = [...byDay.values()].sort((a, b) => String(a.day).localeCompare(String(b.day)));
  const sum = (key: string) => rows.reduce((total, row) => total + num(row[key]), 0);
  const questions = sum('answered') + sum('asked_back') + sum('declined');
  return {
    ...table(q, 'service', ['day', 'answered', 'asked_back', 'declined', 'handed_over'], rows),
    summary: {
      questions,
      answered: sum('answered'),
      asked_back: sum('asked_back'),
      declined: sum('declined'),
      handed_over: sum('handed_over'),
      // Answered at the first try, of all questions the matcher saw.
      answer_rate: questions === 0 ? null : Math.round((sum('answered') / questions) * 1000) / 1000,
    },
  };
}

/** "Did that help?" per day: yes and no (faq.feedback outcomes). */
async function serviceFeedback(store: Store, q: FigureQuery): Promise<FigureTable> {
  const day = dayOf(store, col('created_at'));
  const rows = await run(
    store,
    sql`select ${day} as day, sum(case when outcome = 'yes' then 1 else 0 end) as yes,
        sum(case when outcome = 'no' then 1 else 0 end) as no
      from insight_action_outcomes
      where action = 'faq.feedback' and ${inRange(col('created_at'), q)}${channelFilter(col('channel'), q)}
      group by ${day} order by day`,
  );
  const mapped = rows.map((r) => ({ day: String(r.day), yes: num(r.yes), no: num(r.no) }));
  const yes = mapped.reduce((t, r) => t + r.yes, 0);
  const no = mapped.reduce((t, r) => t + r.no, 0);
  return {
    ...table(q, 'service-feedback', ['day', 'yes', 'no'], mapped),
    summary: { yes, no, helpful_rate: yes + no === 0 ? null : Math.round((yes / (yes + no)) * 1000) / 1000 },
  };
}

/** The most frequent questions the bot could not answer, with the conversation of the latest asker. */
async function unanswered(store: Store, q: FigureQuery): Promise<FigureTable> {
  const rows = await run(
    store,
    sql`select u.normalized as normalized, count(*) as asks, max(u.asked_at) as last_asked_at,
        max(u.text) as example
      from faq_unanswered u
      where ${inRange(col('u.asked_at'), q)}${channelFilter(col('u.channel'), q)}
      group by u.normalized order by asks desc, last_asked_at desc limit ${q.limit}`,
  );
  const result: FigureRow[] = [];
  for (const r of rows) {
    const latest = await run(
      store,
      sql`select v.id as conversation_id from faq_unanswered u join conversations v on v.contact_id = u.contact_id
        where u.normalized = ${String(r.normalized)} order by u.asked_at desc limit 1`,
    );
    result.push({
      question: String(r.example),
      asks: num(r.asks),
      last_asked: new Date(num(r.last_asked_at)).toISOString(),
      conversation_id: latest[0] ? String(latest[0].conversation_id) : null,
    });
  }
  return table(q, 'unanswered', ['question', 'asks', 'last_asked', 'conversation_id'], result);
}

const signedAction = sql`case when action = 'confirmed' then 1 when action = 'unsubscribed' then -1 else 0 end`;

/**
 * Subscriptions ended by an erasure, per topic: the erasure deletes them without an `unsubscribed` entry, so
 * each pseudonymised person whose confirmed entries outweigh their unsubscribes loses one per such topic at
 * the tombstone's time (nobody writes to a pseudonym after its erasure).
 */
function erasureEnds(q: FigureQuery, where: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`select l.topic as topic, e.created_at as at from (
      select contact_id, topic, sum(${signedAction}) as net from newsletter_consent_ledger
      where action in ('confirmed', 'unsubscribed')${channelFilter(col('channel'), q)}
      group by contact_id, topic) l
    join newsletter_consent_ledger e on e.contact_id = l.contact_id and e.action = 'erased'
    where l.net > 0 and ${where}`;
}

/**
 * Newsletter per day and topic: confirmed opt-ins, unsubscribes, subscriptions ended by an erasure, their
 * difference (net) and the subscribers at the end of the day (cumulative, from everything before the range).
 * Every day of the range has a row per topic, so the growth chart and the CSV hold the same points.
 */
async function newsletter(store: Store, q: FigureQuery): Promise<FigureTable> {
  const day = dayOf(store, col('created_at'));
  const rows = await run(
    store,
    sql`select ${day} as day, topic,
        sum(case when action = 'confirmed' then 1 else 0 end) as confirmed,
        sum(case when action = 'unsubscribed' then 1 else 0 end) as unsubscribed
      from newsletter_consent_ledger
      where action in ('confirmed', 'unsubscribed') and ${inRange(col('created_at'), q)}${channelFilter(col('channel'), q)}
      group by ${day}, topic order by day, topic`,
  );
  const before = await run(
    store,
    sql`select topic, sum(${signedAction}) as net from newsletter_consent_ledger
      where action in ('confirmed', 'unsubscribed') and created_at < ${q.from.getTime()}${channelFilter(col('channel'), q)}
      group by topic`,
  );
  const ends = await run(store, erasureEnds(q, sql`e.created_at < ${q.to.getTime()}`));
  const erasedBefore = new Map<string, number>();
  const erasedOn = new Map<string, number>();
  for (const end of ends) {
    const at = num(end.at);
    const topic = String(end.topic);
    if (at < q.from.getTime()) erasedBefore.set(topic, (erasedBefore.get(topic) ?? 0) + 1);
    else {
      const key = `${isoDay(at)}|${topic}`;
      erasedOn.set(key, (erasedOn.get(key) ?? 0) + 1);
    }
  }
  const running = new Map<string, number>();
  for (const r of before) running.set(String(r.topic), num(r.net));
  for (const [topic, n] of erasedBefore) running.set(topic, (running.get(topic) ?? 0) - n);
  const active = new Map(rows.map((r) => [`${String(r.day)}|${String(r.topic)}`, r]));
  const topics = [
    ...new Set([
      ...running.keys(),
      ...rows.map((r) => String(r.topic)),
      ...[...erasedOn.keys()].map((k) => k.split('|')[1]!),
    ]),
  ].sort();
  const result: FigureRow[] = [];
  for (const d of daysOf(q)) {
    for (const topic of topics) {
      const r = active.get(`${d}|${topic}`);
      const confirmed = num(r?.confirmed);
      const unsubscribed = num(r?.unsubscribed);
      const erased = erasedOn.get(`${d}|${topic}`) ?? 0;
      const net = confirmed - unsubscribed - erased;
      const subscribers = (running.get(topic) ?? 0) + net;
      running.set(topic, subscribers);
      result.push({ day: d, topic, confirmed, unsubscribed, erased, net, subscribers });
    }
  }
  return table(
    q,
    'newsletter',
    ['day', 'topic', 'confirmed', 'unsubscribed', 'erased', 'net', 'subscribers'],
    result,
  );
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The UTC days of the range, oldest first. */
function daysOf(q: FigureQuery): string[] {
  const days: string[] = [];
  const first = Math.floor(q.from.getTime() / 86_400_000) * 86_400_000;
  for (let at = first; at < q.to.getTime(); at += 86_400_000) days.push(isoDay(at));
  return days;
}

export interface BroadcastFunnel {
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  clicked: number;
  unsubscribed: number;
}

/**
 * One broadcast's funnel: people whose message went out, reached the phone, was read (where the channel
 * reports it), who wrote back or pressed one of its buttons within 48 h of the send, and who withdrew consent
 * for its topic within 48 h. The console's broadcast list shows the same numbers.
 */
export async function broadcastFunnel(
  store: Store,
  broadcast: { id: string; topic: string },
  channels: readonly string[] = [],
): Promise<BroadcastFunnel> {
  const q = { channels } as FigureQuery;
  const { id } = broadcast;
  const sentRows = sql`o.source_id = ${id} and o.purpose = 'broadcast' and o.sent_at is not null${channelFilter(col('o.channel'), q)}`;
  const funnel = await run(
    store,
    sql`select count(distinct case when o.sent_at is not null then o.contact_id end) as sent,
        count(distinct case when coalesce(o.delivered_at, o.read_at) is not null then o.contact_id end) as delivered,
        count(distinct case when o.read_at is not null then o.contact_id end) as read_count
      from outbox o where o.source_id = ${id} and o.purpose = 'broadcast'${channelFilter(col('o.channel'), q)}`,
  );
  const replied = await run(
    store,
    sql`select count(distinct o.contact_id) as n from outbox o where ${sentRows}
        and exists (select 1 from messages m where m.contact_id = o.contact_id and m.direction = 'in'
          and m.created_at >= o.sent_at and m.created_at < o.sent_at + ${FUNNEL_WINDOW_MS})`,
  );
  const clicked = await run(
    store,
    sql`select count(distinct o.contact_id) as n from outbox o where ${sentRows}
        and exists (select 1 from newsletter_broadcast_clicks k where k.broadcast_id = ${id}
          and k.contact_id = o.contact_id
          and k.created_at >= o.sent_at and k.created_at < o.sent_at + ${FUNNEL_WINDOW_MS})`,
  );
  const unsubscribed = await run(
    store,
    sql`select count(distinct o.contact_id) as n from outbox o where ${sentRows}
        and exists (select 1 from newsletter_consent_ledger l where l.contact_id = o.contact_id
          and l.action = 'unsubscribed' and l.topic = ${broadcast.topic}
          and l.created_at >= o.sent_at and l.created_at < o.sent_at + ${FUNNEL_WINDOW_MS})`,
  );
  const f = funnel[0] ?? {};
  return {
    sent: num(f.sent),
    delivered: num(f.delivered),
    read: num(f.read_count),
    replied: num(replied[0]?.n),
    clicked: num(clicked[0]?.n),
    unsubscribed: num(unsubscribed[0]?.n),
  };
}

/** Per broadcast started in the range, its funnel (see broadcastFunnel). */
async function broadcasts(store: Store, q: FigureQuery): Promise<FigureTable> {
  const list = await run(
    store,
    sql`select id, name, topic, status, coalesce(started_at, scheduled_at, created_at) as at
      from newsletter_broadcasts
      where coalesce(started_at, scheduled_at, created_at) >= ${q.from.getTime()}
        and coalesce(started_at, scheduled_at, created_at) < ${q.to.getTime()}
      order by at desc limit ${q.limit}`,
  );
  const rows: FigureRow[] = [];
  for (const b of list) {
    const id = String(b.id);
    const funnel = await broadcastFunnel(store, { id, topic: String(b.topic) }, q.channels);
    rows.push({
      broadcast_id: id,
      name: String(b.name),
      topic: String(b.topic),
      status: String(b.status),
      started: new Date(num(b.at)).toISOString(),
      ...funnel,
    });
  }
  return table(
    q,
    'broadcasts',
    [
      'broadcast_id',
      'name',
      'topic',
      'status',
      'started',
      'sent',
      'delivered',
      'read',
      'replied',
      'clicked',
      'unsubscribed',
    ],
    rows,
  );
}

function campaignFilter(column: RawBuilder<unknown>, q: FigureQuery): RawBuilder<unknown> {
  return q.campaign ? sql` and ${column} = ${q.campaign}` : sql``;
}

/**
 * Per campaign: links handed out (codes made) → links shared that were clicked (codes with a human click)
 * → visitors (distinct browsers) → new contacts (joined through a code) → buyers (distinct buyers of
 * attributed orders). Bots and link previews never count. Channel = the channel the referrer shares from.
 */
async function referrals(store: Store, q: FigureQuery): Promise<FigureTable> {
  const byCampaign = new Map<string, FigureRow>();
  const rowOf = (campaign: string) => {
    let row = byCampaign.get(campaign);
    if (!row) {
      row = { campaign, links: 0, shared: 0, visitors: 0, new_contacts: 0, buyers: 0 };
      byCampaign.set(campaign, row);
    }
    return row;
  };
  const links = await run(
    store,
    sql`select campaign_id as campaign, count(*) as n from referral_codes
      where ${inRange(col('created_at'), q)}${channelFilter(col('channel'), q)}${campaignFilter(col('campaign_id'), q)}
      group by campaign_id`,
  );
  for (const r of links) rowOf(String(r.campaign)).links = num(r.n);
  const clicks = await run(
    store,
    sql`select campaign_id as campaign, count(distinct code_id) as shared,
        count(distinct coalesce(visitor_id, visitor_hash)) as visitors
      from referral_clicks
      where is_bot = 0 and ${inRange(col('created_at'), q)}${channelFilter(col('referrer_channel'), q)}${campaignFilter(col('campaign_id'), q)}
      group by campaign_id`,
  );
  for (const r of clicks) {
    const row = rowOf(String(r.campaign));
    row.shared = num(r.shared);
    row.visitors = num(r.visitors);
  }
  const joined = await run(
    store,
    sql`select campaign_id as campaign, count(*) as n from referral_attributions
      where status = 'joined' and ${inRange(col('created_at'), q)}${channelFilter(col('referrer_channel'), q)}${campaignFilter(col('campaign_id'), q)}
      group by campaign_id`,
  );
  for (const r of joined) rowOf(String(r.campaign)).new_contacts = num(r.n);
  const buyers = await run(
    store,
    sql`select campaign_id as campaign, count(distinct coalesce(contact_id, visitor_id, order_id)) as n
      from referral_conversions
      where code_id is not null and ${inRange(col('created_at'), q)}${channelFilter(col('referrer_channel'), q)}${campaignFilter(col('campaign_id'), q)}
      group by campaign_id`,
  );
  for (const r of buyers) rowOf(String(r.campaign)).buyers = num(r.n);
  const rows = [...byCampaign.values()].sort((a, b) => String(a.campaign).localeCompare(String(b.campaign)));
  return table(q, 'referrals', ['campaign', 'links', 'shared', 'visitors', 'new_contacts', 'buyers'], rows);
}

/** Visitors and buyers of referral links per country and region (from the geo headers; unknown = not told). */
async function referralsGeo(store: Store, q: FigureQuery): Promise<FigureTable> {
  const key = (r: Record<string, unknown>) => `${r.country ?? ''}|${r.region ?? ''}`;
  const rowsByKey = new Map<string, FigureRow>();
  const rowOf = (r: Record<string, unknown>) => {
    let row = rowsByKey.get(key(r));
    if (!row) {
      row = {
        country: r.country === null || r.country === undefined ? 'unknown' : String(r.country),
        region: r.region === null || r.region === undefined ? 'unknown' : String(r.region),
        visitors: 0,
        buyers: 0,
      };
      rowsByKey.set(key(r), row);
    }
    return row;
  };
  const visitors = await run(
    store,
    sql`select country, region, count(distinct coalesce(visitor_id, visitor_hash)) as n from referral_clicks
      where is_bot = 0 and ${inRange(col('created_at'), q)}${channelFilter(col('referrer_channel'), q)}${campaignFilter(col('campaign_id'), q)}
      group by country, region`,
  );
  for (const r of visitors) rowOf(r).visitors = num(r.n);
  const buyers = await run(
    store,
    sql`select country, region, count(distinct coalesce(contact_id, visitor_id, order_id)) as n
      from referral_conversions
      where code_id is not null and ${inRange(col('created_at'), q)}${channelFilter(col('referrer_channel'), q)}${campaignFilter(col('campaign_id'), q)}
      group by country, region`,
  );
  for (const r of buyers) rowOf(r).buyers = num(r.n);
  const rows = [...rowsByKey.values()].sort(
    (a, b) =>
      num(b.visitors) - num(a.visitors) ||
      num(b.buyers) - num(a.buyers) ||
      `${a.country}${a.region}`.localeCompare(`${b.country}${b.region}`),
  );
  return table(q, 'referrals-geo', ['country', 'region', 'visitors', 'buyers'], rows);
}

async function topReferrers(store: Store, q: FigureQuery): Promise<FigureTable> {
  const db = store.db.withTables<ReferralTables>();
  let rows = await buildReport(db, 'referrer', q.from, q.to);
  if (q.channels.length > 0 || q.campaign) {
    // The report groups by referrer only; narrow to referrers sharing from the chosen channels/campaign.
    const allowed = await run(
      store,
      sql`select distinct contact_id from referral_codes where 1 = 1${channelFilter(col('channel'), q)}${campaignFilter(col('campaign_id'), q)}`,
    );
    const ids = new Set(allowed.map((r) => String(r.contact_id)));
    rows = rows.filter((r) => ids.has(r.key));
  }
  return table(
    q,
    'top-referrers',
    ['referrer', 'clicks', 'unique_clicks', 'new_contacts', 'conversions'],
    rows.slice(0, q.limit).map((r) => ({
      referrer: r.label ?? 'Anonym',
      clicks: r.clicks,
      unique_clicks: r.unique_clicks,
      new_contacts: r.new_contacts,
      conversions: r.conversions,
    })),
  );
}

async function leaderboard(store: Store, q: FigureQuery): Promise<FigureTable> {
  const entries = await buildLeaderboard(store.db.withTables<ReferralTables>(), q.campaign, q.limit);
  return table(
    q,
    'leaderboard',
    ['rank', 'name', 'joined', 'conversions'],
    entries.map((e) => ({ rank: e.rank, name: e.name, joined: e.joined, conversions: e.conversions })),
  );
}

/** Per event: reminders asked for (people), reminders sent, .ics downloads, in the range. */
async function events(store: Store, q: FigureQuery): Promise<FigureTable> {
  const asked = await run(
    store,
    sql`select r.event_id as event_id, count(distinct r.contact_id) as n from event_reminders r
      join contacts c on c.id = r.contact_id
      where ${inRange(col('r.created_at'), q)}${channelFilter(col('c.channel'), q)} group by r.event_id`,
  );
  const sent = await run(
    store,
    sql`select r.event_id as event_id, count(*) as n from event_reminders r join contacts c on c.id = r.contact_id
      where r.status = 'sent' and ${inRange(col('r.sent_at'), q)}${channelFilter(col('c.channel'), q)}
      group by r.event_id`,
  );
  const downloads = await run(
    store,
    sql`select event_id, count(*) as n from event_ics_downloads where ${inRange(col('created_at'), q)}
      group by event_id`,
  );
  const ids = new Set([...asked, ...sent, ...downloads].map((r) => String(r.event_id)));
  const titles =
    ids.size === 0
      ? []
      : await run(store, sql`select id, title, starts_at from events where id in (${sql.join([...ids])})`);
  const titleOf = new Map(titles.map((t) => [String(t.id), t]));
  const count = (list: Rows, id: string) => num(list.find((r) => String(r.event_id) === id)?.n);
  const rows = [...ids]
    .map((id) => {
      const event = titleOf.get(id);
      return {
        event_id: id,
        title: event ? eventTitleText(String(event.title)) : id,
        starts: event ? new Date(num(event.starts_at)).toISOString() : null,
        reminders_requested: count(asked, id),
        reminders_sent: count(sent, id),
        ics_downloads: count(downloads, id),
      };
    })
    .sort((a, b) => String(a.starts ?? '').localeCompare(String(b.starts ?? '')));
  return table(
    q,
    'events',
    ['event_id', 'title', 'starts', 'reminders_requested', 'reminders_sent', 'ics_downloads'],
    rows,
  );
}

/** Event titles are stored as JSON Localized; the dashboard shows the German (default) or first one. */
function eventTitleText(stored: string): string {
  try {
    const value = JSON.parse(stored) as unknown;
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object') {
      const record = value as Record<string, string>;
      return record.de ?? Object.values(record)[0] ?? stored;
    }
  } catch {
    // Not JSON: a plain title.
  }
  return stored;
}

/**
 * Handoff per team: handoffs queued in the range, how many a person took, average waiting time (queued →
 * taken) and average first response time (queued → first agent reply), in seconds.
 */
async function handoff(store: Store, q: FigureQuery): Promise<FigureTable> {
  const rows = await run(
    store,
    sql`select coalesce(team, '—') as team, count(*) as handoffs,
        count(assigned_at) as taken,
        avg(case when assigned_at is not null then (assigned_at - queued_at) / 1000.0 end) as avg_wait_s,
        avg(case when first_response_at is not null then (first_response_at - queued_at) / 1000.0 end) as avg_first_response_s
      from handoff_sessions
      where ${inRange(col('queued_at'), q)}${channelFilter(col('channel'), q)}
      group by coalesce(team, '—') order by handoffs desc, team`,
  );
  const seconds = (value: unknown) =>
    value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10;
  return table(
    q,
    'handoff',
    ['team', 'handoffs', 'taken', 'avg_wait_s', 'avg_first_response_s'],
    rows.map((r) => ({
      team: String(r.team),
      handoffs: num(r.handoffs),
      taken: num(r.taken),
      avg_wait_s: seconds(r.avg_wait_s),
      avg_first_response_s: seconds(r.avg_first_response_s),
    })),
  );
}

/**
 * Ratings after chats with a person (CSAT), asked in the range: one row per agent and one per team
 * (`level`), with how many were asked and answered, the average score (1–5; thumbs count as 5 / 1) and the
 * share of satisfied answers (4 or 5). The summary holds the same over everything.
 */
async function csat(store: Store, q: FigureQuery): Promise<FigureTable> {
  const where = sql`where ${inRange(col('s.asked_at'), q)}${channelFilter(col('s.channel'), q)}`;
  const measures = sql`count(*) as asked, count(s.score) as answered, avg(s.score * 1.0) as avg_score,
      sum(case when s.score >= 4 then 1 else 0 end) as satisfied`;
  const agents = await run(
    store,
    sql`select coalesce(s.team, '—') as team, coalesce(u.display_name, s.agent_id, '—') as agent, ${measures}
      from csat_surveys s left join console_users u on u.id = s.agent_id ${where}
      group by coalesce(s.team, '—'), coalesce(u.display_name, s.agent_id, '—') order by team, agent`,
  );
  const teams = await run(
    store,
    sql`select coalesce(s.team, '—') as team, ${measures} from csat_surveys s ${where}
      group by coalesce(s.team, '—') order by team`,
  );
  const total = await run(store, sql`select ${measures} from csat_surveys s ${where}`);
  const figures = (r: Record<string, unknown>) => {
    const answered = num(r.answered);
    return {
      asked: num(r.asked),
      answered,
      avg_score:
        r.avg_score === null || r.avg_score === undefined
          ? null
          : Math.round(Number(r.avg_score) * 100) / 100,
      satisfied_pct: answered === 0 ? null : Math.round((num(r.satisfied) / answered) * 1000) / 10,
    };
  };
  const result = table(
    q,
    'csat',
    ['level', 'team', 'agent', 'asked', 'answered', 'avg_score', 'satisfied_pct'],
    [
      ...agents.map((r) => ({ level: 'agent', team: String(r.team), agent: String(r.agent), ...figures(r) })),
      ...teams.map((r) => ({ level: 'team', team: String(r.team), agent: null, ...figures(r) })),
    ],
  );
  const all = figures(total[0] ?? {});
  result.summary = {
    asked: all.asked,
    answered: all.answered,
    response_rate: all.asked === 0 ? null : Math.round((all.answered / all.asked) * 1000) / 1000,
    avg_score: all.avg_score,
    satisfied_pct: all.satisfied_pct,
  };
  return result;
}

const FIGURES: Record<FigureName, (store: Store, q: FigureQuery) => Promise<FigureTable>> = {
  conversations,
  contacts,
  service,
  'service-feedback': serviceFeedback,
  unanswered,
  newsletter,
  broadcasts,
  referrals,
  'referrals-geo': referralsGeo,
  'top-referrers': topReferrers,
  leaderboard,
  events,
  handoff,
  csat,
};

export function computeFigure(store: Store, name: FigureName, q: FigureQuery): Promise<FigureTable> {
  return FIGURES[name](store, q);
}
