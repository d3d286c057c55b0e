/**
 * Everything Plausch stores about one contact, as one JSON document (GDPR art. 15 access request): the contact
 * row and every row of every table that names the contact, JSON columns parsed. Tables that only count (the
 * outcome log, .ics downloads) name nobody and are not part of it.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../store/database.js';
import { UnknownContactError } from './erase.js';

/** (table, column naming the contact), in the order the export lists them. */
export const CONTACT_TABLES: ReadonlyArray<readonly [string, string]> = [
  ['conversations', 'contact_id'],
  ['messages', 'contact_id'],
  ['inbound_events', 'contact_id'],
  ['outbox', 'contact_id'],
  ['newsletter_subscriptions', 'contact_id'],
  ['newsletter_consent_ledger', 'contact_id'],
  ['newsletter_broadcast_recipients', 'contact_id'],
  ['newsletter_broadcast_clicks', 'contact_id'],
  ['event_reminders', 'contact_id'],
  ['referral_codes', 'contact_id'],
  ['referral_attributions', 'referred_contact_id'],
  ['referral_rewards', 'referrer_contact_id'],
  ['referral_conversions', 'contact_id'],
  ['faq_unanswered', 'contact_id'],
  ['handoff_sessions', 'contact_id'],
  ['csat_surveys', 'contact_id'],
  ['crm_deliveries', 'contact_id'],
];

const JSON_COLUMNS = new Set([
  'tags',
  'attributes',
  'reply_address',
  'state',
  'message',
  'details',
  'payload',
  'content',
]);

function readable(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'string' && JSON_COLUMNS.has(key)) {
      try {
        out[key] = JSON.parse(value);
        continue;
      } catch {
        // Not JSON after all: keep the text.
      }
    }
    out[key] = key.endsWith('_at') && typeof value === 'number' ? new Date(value).toISOString() : value;
  }
  return out;
}

export interface ContactExport {
  exportedAt: string;
  contact: Record<string, unknown>;
  /** Rows per table, oldest first. */
  data: Record<string, Array<Record<string, unknown>>>;
}

export async function exportContact(store: Store, contactId: string, now: Date): Promise<ContactExport> {
  // biome-ignore lint/suspicious/noExplicitAny: the export reads every feature's tables
  const db = store.db as unknown as Kysely<any>;
  const contact = await db.selectFrom('contacts').selectAll().where('id', '=', contactId).executeTakeFirst();
  if (!contact) throw new UnknownContactError(contactId);
  const data: ContactExport['data'] = {};
  for (const [table, column] of CONTACT_TABLES) {
    const rows = (await db.selectFrom(table).selectAll().where(column, '=', contactId).execute()) as Array<
      Record<string, unknown>
    >;
    rows.sort(
      (a, b) =>
        Number(a.created_at ?? a.received_at ?? a.queued_at ?? a.asked_at ?? 0) -
        Number(b.created_at ?? b.received_at ?? b.queued_at ?? b.asked_at ?? 0),
    );
    data[table] = rows.map(readable);
  }
  const conversation = await db
    .selectFrom('conversations')
    .select('id')
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  if (conversation) {
    // File contents stay out of the JSON; their names, types and sizes are listed.
    data.media_files = (
      (await db
        .selectFrom('media_files')
        .select(['id', 'origin', 'file_name', 'mime_type', 'size_bytes', 'created_at'])
        .where('conversation_id', '=', conversation.id)
        .execute()) as Array<Record<string, unknown>>
    ).map(readable);
  }
  if (contact.channel === 'webchat') {
    data.webchat_events = (
      (await db
        .selectFrom('webchat_events')
        .selectAll()
        .where('session_id', '=', contact.channel_contact_id)
        .orderBy('seq')
        .execute()) as Array<Record<string, unknown>>
    ).map(readable);
  }
  return { exportedAt: now.toISOString(), contact: readable(contact as Record<string, unknown>), data };
}
