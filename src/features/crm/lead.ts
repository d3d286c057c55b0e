/**
 * Builds a lead from a conversation (contact, chosen variables, consent per newsletter topic, referral source)
 * and stores it in the durable delivery queue. The stored payload is exactly what the CRM receives.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../../logger.js';
import type { Contact, JsonValue, Variables } from '../../model/index.js';
import { newId } from '../../store/ids.js';
import { toJson } from '../../store/json.js';
import type { CoreTables } from '../../store/schema.js';
import type { ReferralTables } from '../referrals/tables.js';
import type { CrmDeliveriesTable, CrmTables } from './tables.js';

/** Consent state per newsletter topic (`{ kaffee-news: "confirmed" }`), supplied by the newsletter feature. */
export type ConsentLookup = (contactId: string) => Promise<Record<string, string>>;

export type CrmDb = Kysely<CoreTables & CrmTables & ReferralTables>;

export interface LeadPayload {
  lead_id: string;
  created_at: string;
  source: {
    campaign: string | null;
    channel: string;
    flow: string | null;
    step: string | null;
    referral: { campaign: string; referrer_contact_id: string; code: string | null } | null;
  };
  contact: {
    id: string;
    channel: string;
    display_name: string | null;
    first_name: string | null;
    last_name: string | null;
    username: string | null;
    phone: string | null;
    locale: string;
    tags: string[];
    attributes: Variables;
  };
  fields: Record<string, JsonValue>;
  /** Null when consent state is unknown (no newsletter feature wired). */
  consent: Record<string, string> | null;
}

export interface LeadRequest {
  contact: Contact;
  vars: Readonly<Variables>;
  fields: readonly string[];
  campaign: string | null;
  flowId: string | null;
  stepId: string | null;
  now: Date;
  /** False when no CRM is configured: the lead is stored for export with status `not_sent`. */
  deliver: boolean;
}

async function referralSource(db: CrmDb, contactId: string): Promise<LeadPayload['source']['referral']> {
  const attribution = await db
    .selectFrom('referral_attributions')
    .leftJoin('referral_codes', 'referral_codes.id', 'referral_attributions.code_id')
    .select([
      'referral_attributions.campaign_id',
      'referral_attributions.referrer_contact_id',
      'referral_codes.code',
    ])
    .where('referral_attributions.referred_contact_id', '=', contactId)
    .executeTakeFirst();
  if (!attribution) return null;
  return {
    campaign: attribution.campaign_id,
    referrer_contact_id: attribution.referrer_contact_id,
    code: attribution.code ?? null,
  };
}

export async function buildLead(
  db: CrmDb,
  request: LeadRequest,
  leadId: string,
  consentLookup: ConsentLookup | undefined,
  logger: Logger,
): Promise<LeadPayload> {
  const fields: Record<string, JsonValue> = {};
  for (const name of request.fields) fields[name] = request.vars[name] ?? null;
  let consent: Record<string, string> | null = null;
  if (consentLookup) {
    try {
      consent = await consentLookup(request.contact.id);
    } catch (error) {
      // A lead without consent details is still a lead; the CRM sees null ("unknown"), never a guess.
      logger.warn({ err: error }, 'consent lookup failed; lead carries consent: null');
    }
  }
  const contact = request.contact;
  return {
    lead_id: leadId,
    created_at: request.now.toISOString(),
    source: {
      campaign: request.campaign,
      channel: contact.channel,
      flow: request.flowId,
      step: request.stepId,
      referral: await referralSource(db, contact.id),
    },
    contact: {
      id: contact.id,
      channel: contact.channel,
      display_name: contact.displayName,
      first_name: contact.firstName,
      last_name: contact.lastName,
      username: contact.username,
      phone: contact.phone,
      locale: contact.locale,
      tags: contact.tags,
      attributes: contact.attributes,
    },
    fields,
    consent,
  };
}

/** Builds and stores the lead; one insert, so it is either queued whole or not at all. */
export async function queueLead(
  db: CrmDb,
  request: LeadRequest,
  consentLookup: ConsentLookup | undefined,
  logger: Logger,
): Promise<CrmDeliveriesTable> {
  const id = newId(request.now.getTime());
  const payload = await buildLead(db, request, id, consentLookup, logger);
  const row: CrmDeliveriesTable = {
    id,
    contact_id: request.contact.id,
    channel: request.contact.channel,
    campaign_id: request.campaign,
    referrer_contact_id: payload.source.referral?.referrer_contact_id ?? null,
    payload: toJson(payload),
    status: request.deliver ? 'queued' : 'not_sent',
    attempts: 0,
    next_attempt_at: request.now.getTime(),
    locked_by: null,
    locked_until: null,
    last_error: null,
    last_status_code: null,
    created_at: request.now.getTime(),
    delivered_at: null,
    failed_at: null,
  };
  await db.insertInto('crm_deliveries').values(row).execute();
  return row;
}
