/**
 * Recording a click on /r/<code>: who (a salted hash of the IP, never the address), from where (country),
 * with what (agent class), and whether it counts (bots and link-preview fetchers do not; the same visitor on
 * the same code counts once per day).
 */
import { createHmac } from 'node:crypto';
import { isbot } from 'isbot';
import type { Kysely } from 'kysely';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import type { ReferralCodesTable, ReferralTables } from './tables.js';

export type AgentClass = 'bot' | 'mobile' | 'tablet' | 'desktop' | 'unknown';

export interface ClickFacts {
  ipHash: string;
  visitorId: string | null;
  country: string | null;
  region?: string | null;
  referer: string | null;
  agentClass: AgentClass;
}

/** isbot knows WhatsApp, TelegramBot, facebookexternalhit, Slackbot, Twitterbot, Discordbot, crawlers, … */
export function classifyAgent(userAgent: string | undefined): AgentClass {
  if (!userAgent || userAgent.trim() === '') return 'unknown';
  if (isbot(userAgent)) return 'bot';
  if (/iPad|Tablet|PlayBook|Silk|Android(?!.*Mobile)/i.test(userAgent)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android|Windows Phone|Opera Mini/i.test(userAgent)) return 'mobile';
  if (/Windows NT|Macintosh|X11|Linux|CrOS/i.test(userAgent)) return 'desktop';
  return 'unknown';
}

const COUNTRY = /^[A-Z]{2}$/;
/** Codes CDNs use for "unknown" or "Tor", which are not countries. */
const NOT_COUNTRIES = new Set(['XX', 'T1', 'ZZ']);

/**
 * The visitor's country: the trusted geo header when one is configured (set by the CDN/proxy), else the region
 * of the first Accept-Language tag that has one (`de-AT` → AT). Null when neither says.
 */
export function countryOf(
  headers: Record<string, string | string[] | undefined>,
  geoHeader?: string,
): string | null {
  if (geoHeader) {
    const raw = headers[geoHeader.toLowerCase()];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim().toUpperCase();
    if (value && COUNTRY.test(value) && !NOT_COUNTRIES.has(value)) return value;
  }
  const accept = headers['accept-language'];
  const acceptText = Array.isArray(accept) ? accept.join(',') : accept;
  if (!acceptText) return null;
  for (const part of acceptText.split(',')) {
    const tag = part.split(';')[0]?.trim() ?? '';
    // Language, optional script, region: de-AT, zh-Hant-TW, en_GB.
    const match = /^[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?[-_]([A-Za-z]{2})$/.exec(tag);
    if (match?.[1]) return match[1].toUpperCase();
  }
  return null;
}

const SUBDIVISION = /^[A-Z0-9]{1,3}$/;

/**
 * The visitor's region as an ISO 3166-2 code (`DE-BY`), from the trusted geo header a proxy/CDN sets
 * (Cloudflare `cf-region-code`, CloudFront `cloudfront-viewer-country-region`). A bare subdivision (`BY`)
 * is prefixed with the country; anything else is ignored. Null without a configured header.
 */
export function regionOf(
  headers: Record<string, string | string[] | undefined>,
  country: string | null,
  regionHeader?: string,
): string | null {
  if (!regionHeader) return null;
  const raw = headers[regionHeader.toLowerCase()];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim().toUpperCase();
  if (!value) return null;
  const full = /^([A-Z]{2})-([A-Z0-9]{1,3})$/.exec(value);
  if (full?.[1] && full[2]) return country && full[1] !== country ? null : `${full[1]}-${full[2]}`;
  if (country && SUBDIVISION.test(value)) return `${country}-${value}`;
  return null;
}

/**
 * HMAC-SHA256 of the IP with the salt: stable while the salt stays, unlinkable once it is rotated. The raw
 * address is never stored.
 */
export function hashVisitorAddress(salt: string, ip: string): string {
  return createHmac('sha256', salt).update(ip).digest('hex').slice(0, 32);
}

/** The referring page, without query and fragment (they may carry other people's data). */
export function cleanReferer(referer: string | undefined): string | null {
  if (!referer) return null;
  try {
    const url = new URL(referer);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return `${url.origin}${url.pathname}`.slice(0, 300);
  } catch {
    return null;
  }
}

export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export interface RecordedClick {
  id: string;
  counted: boolean;
  bot: boolean;
}

/**
 * Stores the click. A human click is unique when its (code, visitor hash, day) row is new; the unique key
 * decides, so two instances racing on the same visitor still count it once.
 */
export async function recordClick(
  db: Kysely<CoreTables & ReferralTables>,
  code: ReferralCodesTable,
  facts: ClickFacts,
  now: Date,
): Promise<RecordedClick> {
  // One transaction: one commit per click instead of two.
  return db.transaction().execute((trx) => recordClickRows(trx, code, facts, now));
}

async function recordClickRows(
  db: Kysely<CoreTables & ReferralTables>,
  code: ReferralCodesTable,
  facts: ClickFacts,
  now: Date,
): Promise<RecordedClick> {
  const bot = facts.agentClass === 'bot';
  const day = utcDay(now);
  let unique = false;
  if (!bot) {
    // ON CONFLICT DO NOTHING: a repeat visit inserts nothing and raises nothing (safe inside the transaction).
    const inserted = await db
      .insertInto('referral_click_days')
      .values({ code_id: code.id, visitor_hash: facts.ipHash, day, created_at: now.getTime() })
      .onConflict((oc) => oc.columns(['code_id', 'visitor_hash', 'day']).doNothing())
      .executeTakeFirst();
    unique = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }
  const id = newId(now.getTime());
  await db
    .insertInto('referral_clicks')
    .values({
      id,
      code_id: code.id,
      campaign_id: code.campaign_id,
      referrer_contact_id: code.contact_id,
      referrer_channel: code.channel,
      visitor_id: bot ? null : facts.visitorId,
      visitor_hash: facts.ipHash,
      day,
      country: facts.country,
      region: facts.region ?? null,
      referer: facts.referer,
      agent_class: facts.agentClass,
      is_bot: bot ? 1 : 0,
      is_unique: unique ? 1 : 0,
      created_at: now.getTime(),
    })
    .execute();
  return { id, counted: unique, bot };
}
