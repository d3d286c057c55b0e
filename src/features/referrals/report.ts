/**
 * Numbers of the referral programme: the report grouped by referrer, campaign, channel or country, the
 * leaderboard, one code's details, and a referrer's own stats for the chat. Bot clicks are counted apart,
 * never as clicks.
 */
import { type Kysely, sql } from 'kysely';
import type { CoreTables } from '../../store/schema.js';
import type { ReferralProgram } from './program-schema.js';
import type { ReferralCodesTable, ReferralTables } from './tables.js';

type Db = Kysely<CoreTables & ReferralTables>;

export type ReportGrouping = 'referrer' | 'campaign' | 'channel' | 'country' | 'region';

export interface ReportRow {
  key: string;
  /** For referrer groups: the shortened display name ("Anna K."). */
  label?: string;
  clicks: number;
  unique_clicks: number;
  bot_clicks: number;
  new_contacts: number;
  existing_contacts: number;
  conversions: number;
  /** Order value per currency, in major units. */
  value: Record<string, number>;
}

/** "Anna Kaffeeliebe" → "Anna K.": enough to recognise oneself on a leaderboard, not enough to find someone. */
export function shortenName(
  firstName: string | null,
  lastName: string | null,
  displayName: string | null,
): string {
  const first = firstName?.trim();
  const last = lastName?.trim();
  if (first) return last ? `${first} ${last.charAt(0).toUpperCase()}.` : first;
  const words = (displayName ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return 'Anonym';
  if (words.length === 1) return words[0] ?? 'Anonym';
  return `${words[0]} ${(words[words.length - 1] ?? '').charAt(0).toUpperCase()}.`;
}

const KEY_COLUMNS: Record<
  ReportGrouping,
  { clicks: string; attributions: string | null; conversions: string }
> = {
  referrer: {
    clicks: 'referrer_contact_id',
    attributions: 'referrer_contact_id',
    conversions: 'referrer_contact_id',
  },
  campaign: { clicks: 'campaign_id', attributions: 'campaign_id', conversions: 'campaign_id' },
  // The channel the referrer shares from (where the code was made): clicks carry no messenger of their own.
  channel: { clicks: 'referrer_channel', attributions: 'referrer_channel', conversions: 'referrer_channel' },
  // Attributions happen inside a messenger, which tells no country.
  country: { clicks: 'country', attributions: null, conversions: 'country' },
  // ISO 3166-2 (DE-BY) from GEO_REGION_HEADER; like the country, unknown for attributions.
  region: { clicks: 'region', attributions: null, conversions: 'region' },
};

const emptyRow = (key: string): ReportRow => ({
  key,
  clicks: 0,
  unique_clicks: 0,
  bot_clicks: 0,
  new_contacts: 0,
  existing_contacts: 0,
  conversions: 0,
  value: {},
});

export async function buildReport(
  db: Db,
  groupBy: ReportGrouping,
  from: Date,
  to: Date,
): Promise<ReportRow[]> {
  const columns = KEY_COLUMNS[groupBy];
  const rows = new Map<string, ReportRow>();
  const rowFor = (key: string | null) => {
    const name = key ?? 'unknown';
    let row = rows.get(name);
    if (!row) {
      row = emptyRow(name);
      rows.set(name, row);
    }
    return row;
  };
  const fromMs = from.getTime();
  const toMs = to.getTime();

  const clicks = await db
    .selectFrom('referral_clicks')
    .select([
      sql<string | null>`${sql.ref(columns.clicks)}`.as('key'),
      sql<number>`sum(case when is_bot = 0 then 1 else 0 end)`.as('clicks'),
      sql<number>`sum(is_unique)`.as('unique_clicks'),
      sql<number>`sum(is_bot)`.as('bot_clicks'),
    ])
    .where('created_at', '>=', fromMs)
    .where('created_at', '<', toMs)
    .groupBy(sql.ref(columns.clicks))
    .execute();
  for (const c of clicks) {
    const row = rowFor(c.key);
    row.clicks += Number(c.clicks ?? 0);
    row.unique_clicks += Number(c.unique_clicks ?? 0);
    row.bot_clicks += Number(c.bot_clicks ?? 0);
  }

  const attributionKey = columns.attributions
    ? sql<string | null>`${sql.ref(columns.attributions)}`
    : sql<string | null>`null`;
  const attributions = await db
    .selectFrom('referral_attributions')
    .select([
      attributionKey.as('key'),
      sql<number>`sum(case when status = 'joined' then 1 else 0 end)`.as('joined'),
      sql<number>`sum(case when status = 'existing' then 1 else 0 end)`.as('existing'),
    ])
    .where('created_at', '>=', fromMs)
    .where('created_at', '<', toMs)
    .groupBy(columns.attributions ? sql.ref(columns.attributions) : sql`1`)
    .execute();
  for (const a of attributions) {
    const row = rowFor(a.key);
    row.new_contacts += Number(a.joined ?? 0);
    row.existing_contacts += Number(a.existing ?? 0);
  }

  const conversions = await db
    .selectFrom('referral_conversions')
    .select([
      sql<string | null>`${sql.ref(columns.conversions)}`.as('key'),
      'currency',
      sql<number>`count(*)`.as('conversions'),
      sql<number | null>`sum(value_minor)`.as('value_minor'),
    ])
    .where('created_at', '>=', fromMs)
    .where('created_at', '<', toMs)
    .where('code_id', 'is not', null)
    .groupBy([sql.ref(columns.conversions), 'currency'])
    .execute();
  for (const c of conversions) {
    const row = rowFor(c.key);
    row.conversions += Number(c.conversions ?? 0);
    if (c.currency && c.value_minor !== null) {
      row.value[c.currency] = ((row.value[c.currency] ?? 0) * 100 + Number(c.value_minor)) / 100;
    }
  }

  const result = [...rows.values()];
  if (groupBy === 'referrer') await labelReferrers(db, result);
  return result.sort(
    (a, b) => b.new_contacts - a.new_contacts || b.clicks - a.clicks || a.key.localeCompare(b.key),
  );
}

async function labelReferrers(db: Db, rows: ReportRow[]): Promise<void> {
  const ids = rows.map((r) => r.key).filter((k) => k !== 'unknown');
  if (ids.length === 0) return;
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const contacts = await db
      .selectFrom('contacts')
      .select(['id', 'first_name', 'last_name', 'display_name'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const c of contacts) names.set(c.id, shortenName(c.first_name, c.last_name, c.display_name));
  }
  for (const row of rows) {
    const name = names.get(row.key);
    if (name) row.label = name;
  }
}

export interface LeaderboardEntry {
  rank: number;
  name: string;
  joined: number;
  conversions: number;
}

export async function buildLeaderboard(
  db: Db,
  campaign: string | undefined,
  limit: number,
): Promise<LeaderboardEntry[]> {
  let joinedQuery = db
    .selectFrom('referral_attributions')
    .select([
      'referrer_contact_id',
      sql<number>`count(*)`.as('joined'),
      sql<number>`min(created_at)`.as('first_at'),
    ])
    .where('status', '=', 'joined')
    .groupBy('referrer_contact_id')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy(sql`min(created_at)`, 'asc')
    .limit(limit);
  if (campaign) joinedQuery = joinedQuery.where('campaign_id', '=', campaign);
  const top = await joinedQuery.execute();
  if (top.length === 0) return [];
  const ids = top.map((t) => t.referrer_contact_id);
  const contacts = await db
    .selectFrom('contacts')
    .select(['id', 'first_name', 'last_name', 'display_name'])
    .where('id', 'in', ids)
    .execute();
  let conversionQuery = db
    .selectFrom('referral_conversions')
    .select(['referrer_contact_id', sql<number>`count(*)`.as('conversions')])
    .where('referrer_contact_id', 'in', ids)
    .groupBy('referrer_contact_id');
  if (campaign) conversionQuery = conversionQuery.where('campaign_id', '=', campaign);
  const conversions = new Map(
    (await conversionQuery.execute()).map((c) => [c.referrer_contact_id, Number(c.conversions)]),
  );
  const names = new Map(contacts.map((c) => [c.id, shortenName(c.first_name, c.last_name, c.display_name)]));
  return top.map((t, index) => ({
    rank: index + 1,
    name: names.get(t.referrer_contact_id) ?? 'Anonym',
    joined: Number(t.joined),
    conversions: conversions.get(t.referrer_contact_id) ?? 0,
  }));
}

export interface CodeCounts {
  clicks: number;
  unique_clicks: number;
  bot_clicks: number;
  joined: number;
  existing: number;
  conversions: number;
  value: Record<string, number>;
}

export async function countsForCodes(db: Db, codeIds: readonly string[]): Promise<CodeCounts> {
  const counts: CodeCounts = {
    clicks: 0,
    unique_clicks: 0,
    bot_clicks: 0,
    joined: 0,
    existing: 0,
    conversions: 0,
    value: {},
  };
  if (codeIds.length === 0) return counts;
  const clicks = await db
    .selectFrom('referral_clicks')
    .select([
      sql<number>`sum(case when is_bot = 0 then 1 else 0 end)`.as('clicks'),
      sql<number>`sum(is_unique)`.as('unique_clicks'),
      sql<number>`sum(is_bot)`.as('bot_clicks'),
    ])
    .where('code_id', 'in', codeIds)
    .executeTakeFirst();
  counts.clicks = Number(clicks?.clicks ?? 0);
  counts.unique_clicks = Number(clicks?.unique_clicks ?? 0);
  counts.bot_clicks = Number(clicks?.bot_clicks ?? 0);
  const attributions = await db
    .selectFrom('referral_attributions')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('code_id', 'in', codeIds)
    .groupBy('status')
    .execute();
  for (const a of attributions) {
    if (a.status === 'joined') counts.joined = Number(a.n);
    if (a.status === 'existing') counts.existing = Number(a.n);
  }
  const conversions = await db
    .selectFrom('referral_conversions')
    .select([
      'currency',
      sql<number>`count(*)`.as('n'),
      sql<number | null>`sum(value_minor)`.as('value_minor'),
    ])
    .where('code_id', 'in', codeIds)
    .groupBy('currency')
    .execute();
  for (const c of conversions) {
    counts.conversions += Number(c.n);
    if (c.currency && c.value_minor !== null) counts.value[c.currency] = Number(c.value_minor) / 100;
  }
  return counts;
}

export interface NextMilestone {
  campaignId: string;
  milestoneId: string;
  friends: number;
  remaining: number;
}

/** The closest milestone still ahead over the contact's codes, or null when every one is reached. */
export function nextMilestone(
  program: ReferralProgram,
  codes: readonly ReferralCodesTable[],
): NextMilestone | null {
  let best: NextMilestone | null = null;
  for (const code of codes) {
    const campaign = program.campaigns[code.campaign_id];
    for (const milestone of campaign?.milestones ?? []) {
      const remaining = milestone.friends - Number(code.joined_count);
      if (remaining <= 0) continue;
      if (!best || remaining < best.remaining) {
        best = {
          campaignId: code.campaign_id,
          milestoneId: milestone.id,
          friends: milestone.friends,
          remaining,
        };
      }
    }
  }
  return best;
}
