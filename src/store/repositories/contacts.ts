/** Contacts: created or refreshed from what a platform tells us, and changed by engine effects. */
import type { Kysely, Updateable } from 'kysely';
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
 * Creates the contact of an inbound message or refreshes what the platform told us about them.
 * Safe under parallel delivery: the insert yields to a concurrent one on the (channel, id) constraint.
 */
export async function upsertContactFromInbound(
  db: Db,
  message: InboundMessage,
  policy: LocalePolicy,
  now: Date,
): Promise<Contact> {
  const profile = message.profile ?? {};
  const inboundAt = Math.min(message.receivedAt.getTime(), now.getTime());
  await db
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
    .onConflict((oc) => oc.columns(['channel', 'channel_contact_id']).doNothing())
    .execute();

  const existing = await findContactByChannelId(db, message.channel, message.contactNativeId);
  if (!existing) throw new Error(`contact ${message.channel} could not be created`);

  const changes: Updateable<CoreTables['contacts']> = {};
  const refresh = (
    column: 'display_name' | 'first_name' | 'last_name' | 'username' | 'phone',
    value?: string,
  ) => {
    if (value !== undefined && value !== '') changes[column] = value;
  };
  refresh('display_name', profile.displayName);
  refresh('first_name', profile.firstName);
  refresh('last_name', profile.lastName);
  refresh('username', profile.username);
  refresh('phone', profile.phone);
  if (message.replyAddress) changes.reply_address = toJson(message.replyAddress);
  if (profile.locale && existing.attributes[LOCALE_CHOSEN_ATTRIBUTE] !== true) {
    changes.locale = resolveSupportedLocale(profile.locale, policy);
  }
  // Events may arrive out of order; the last inbound time never moves backwards.
  const lastInbound = Math.max(existing.lastInboundAt?.getTime() ?? 0, inboundAt);
  changes.last_inbound_at = lastInbound;
  await db.updateTable('contacts').set(changes).where('id', '=', existing.id).execute();
  const refreshed = await getContact(db, existing.id);
  if (!refreshed) throw new Error('contact vanished while being updated');
  return refreshed;
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
