/** Contacts: created or refreshed from what a platform tells us, and changed by engine effects. */
import { type Kysely, sql } from 'kysely';
import type { Contact, InboundMessage, Variables } from '../../model/index.js';
import { newId } from '../ids.js';
import { toJson } from '../json.js';
import type { CoreTables } from '../schema.js';
import { type LocalePolicy, resolveSupportedLocale } from './locale.js';
import { contactFromRow } from './mapping.js';

/** Set in `attributes` when the person picked a language; the platform's locale never overrides it afterwards. */
export const LOCALE_CHOSEN_ATTRIBUTE = 'locale_chosen';

type Db = Kysely<CoreTables>;

export async function getContact(db: Db, id: string): Promise<Contact | null> {
  const row = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? contactFromRow(row) : null;
}

export async function findContactByChannelId(
  db: Db,
  channel: string,
  channelContactId: string,
): Promise<Contact | null> {
  const row = await db
    .selectFrom('contacts')
    .selectAll()
    .where('channel', '=', channel)
    .where('channel_contact_id', '=', channelContactId)
    .executeTakeFirst();
  return row ? contactFromRow(row) : null;
}

/**
 * Creates the contact of an inbound message or refreshes what the platform told us about them, in ONE
 * statement (insert … on conflict do update … returning): atomic under parallel delivery on both dialects.
 * A profile field the platform left out or sent empty keeps its stored value; the platform's locale never
 * overrides a language the person chose; the last inbound time never moves backwards (events arrive out
 * of order).
 */
export async function upsertContactFromInbound(
  db: Db,
  message: InboundMessage,
  policy: LocalePolicy,
  now: Date,
): Promise<Contact> {
  const profile = message.profile ?? {};
  const inboundAt = Math.min(message.receivedAt.getTime(), now.getTime());
  const keepUnlessGiven = (column: 'display_name' | 'first_name' | 'last_name' | 'username' | 'phone') =>
    sql<string | null>`coalesce(nullif(excluded.${sql.ref(column)}, ''), contacts.${sql.ref(column)})`;
  const localeChosen = sql<boolean>`contacts.attributes like ${`%"${LOCALE_CHOSEN_ATTRIBUTE}":true%`}`;
  const row = await db
    .insertInto('contacts')
    .values({
      id: newId(now.getTime()),
      channel: message.channel,
      channel_contact_id: message.contactNativeId,
      display_name: profile.displayName ?? null,
      first_name: profile.firstName ?? null,
      last_name: profile.lastName ?? null,
      username: profile.username ?? null,
      phone: profile.phone ?? null,
      locale: resolveSupportedLocale(profile.locale, policy),
      tags: '[]',
      attributes: '{}',
      reply_address: message.replyAddress ? toJson(message.replyAddress) : null,
      created_at: now.getTime(),
      last_inbound_at: inboundAt,
    })
    .onConflict((oc) =>
      oc.columns(['channel', 'channel_contact_id']).doUpdateSet({
        display_name: keepUnlessGiven('display_name'),
        first_name: keepUnlessGiven('first_name'),
        last_name: keepUnlessGiven('last_name'),
        username: keepUnlessGiven('username'),
        phone: keepUnlessGiven('phone'),
        reply_address: sql<string | null>`coalesce(excluded.reply_address, contacts.reply_address)`,
        locale: profile.locale
          ? sql<string>`case when ${localeChosen} then contacts.locale else excluded.locale end`
          : sql<string>`contacts.locale`,
        last_inbound_at: sql<number>`case when contacts.last_inbound_at is null
          or contacts.last_inbound_at < excluded.last_inbound_at
          then excluded.last_inbound_at else contacts.last_inbound_at end`,
      }),
    )
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new Error(`contact ${message.channel} could not be created`);
  return contactFromRow(row);
}

/** Reads a contact, locking its row on PostgreSQL so read-modify-write of tags/attributes does not lose updates. */
async function getContactForUpdate(db: Db, id: string, lock: boolean): Promise<Contact> {
  let query = db.selectFrom('contacts').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new Error(`contact ${id} does not exist`);
  return contactFromRow(row);
}

export interface ContactWriteOptions {
  /** True on PostgreSQL inside a transaction: lock the row while changing it. */
  lockRow: boolean;
}

/** The person chose a language: remember it and keep the platform's locale from overriding it. */
export async function setContactLocale(
  db: Db,
  id: string,
  locale: string,
  options: ContactWriteOptions,
): Promise<void> {
  const contact = await getContactForUpdate(db, id, options.lockRow);
  const attributes = { ...contact.attributes, [LOCALE_CHOSEN_ATTRIBUTE]: true };
  await db
    .updateTable('contacts')
    .set({ locale, attributes: toJson(attributes) })
    .where('id', '=', id)
    .execute();
}

export async function tagContact(
  db: Db,
  id: string,
  change: { add?: readonly string[]; remove?: readonly string[] },
  options: ContactWriteOptions,
): Promise<void> {
  const contact = await getContactForUpdate(db, id, options.lockRow);
  const removed = new Set(change.remove ?? []);
  const tags = [...new Set([...contact.tags, ...(change.add ?? [])])].filter((t) => !removed.has(t)).sort();
  await db
    .updateTable('contacts')
    .set({ tags: toJson(tags) })
    .where('id', '=', id)
    .execute();
}

export async function rememberContactAttributes(
  db: Db,
  id: string,
  attributes: Variables,
  options: ContactWriteOptions,
): Promise<void> {
  const contact = await getContactForUpdate(db, id, options.lockRow);
  const merged = { ...contact.attributes, ...attributes };
  await db
    .updateTable('contacts')
    .set({ attributes: toJson(merged) })
    .where('id', '=', id)
    .execute();
}
