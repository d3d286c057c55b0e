/**
 * Erasing a contact (GDPR art. 17) in ONE transaction: every text the person wrote or was sent, every
 * identifier (name, phone, channel id, platform message ids, referral code, e-mail in attributes or flow
 * variables) is deleted or overwritten; rows that aggregates count (messages, outbox, reminders, clicks,
 * attributions) stay as anonymous rows. The consent ledger keeps its entries: their contact id is replaced by
 * a keyed hash (the one update the ledger's trigger allows) and a tombstone entry records the erasure.
 * See docs/privacy.md for what is kept and why.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { EMPTY_CONVERSATION_STATE } from '../../model/contact.js';
import { checkpointWal, type Store } from '../../store/database.js';
import { newId } from '../../store/ids.js';

/** Where an erasure was asked for; recorded in the ledger's tombstone. */
export type ErasureSource = 'api' | 'console' | 'cli' | 'chat';

export interface ErasureResult {
  contactId: string;
  /** The pseudonym that now stands for the person in the consent ledger. */
  pseudonym: string;
  alreadyErased: boolean;
  counts: Record<string, number>;
}

export class UnknownContactError extends Error {
  constructor(id: string) {
    super(`contact ${id} not found`);
    this.name = 'UnknownContactError';
  }
}

export const ERASED_PREFIX = 'erased:';
const ERASED_JSON = '{"erased":true}';

/** HMAC-SHA256 of a value with the erasure key: the same input gives the same pseudonym, nobody can reverse it. */
export function keyedHash(key: string, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex').slice(0, 32);
}

// biome-ignore lint/suspicious/noExplicitAny: erasure touches every feature's tables in one transaction
type AnyDb = Kysely<any>;

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) =>
  Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0);

export async function eraseContact(
  store: Store,
  contactId: string,
  options: { key: string; source: ErasureSource; now: Date },
): Promise<ErasureResult> {
  const pseudonym = `${ERASED_PREFIX}${keyedHash(options.key, contactId)}`;
  const at = options.now.getTime();
  const db = store.db as unknown as AnyDb;
  const result = await db.transaction().execute(async (trx): Promise<ErasureResult> => {
    const contact = await trx
      .selectFrom('contacts')
      .select(['id', 'channel', 'channel_contact_id', 'erased_at'])
      .where('id', '=', contactId)
      .executeTakeFirst();
    if (!contact) throw new UnknownContactError(contactId);
    if (contact.erased_at !== null && contact.erased_at !== undefined) {
      return { contactId, pseudonym, alreadyErased: true, counts: {} };
    }
    const counts: Record<string, number> = {};
    // The consent ledger: pseudonymise the person's entries, then append the tombstone.
    counts.consent_entries_pseudonymised = changed(
      await trx
        .updateTable('newsletter_consent_ledger')
        .set({ contact_id: pseudonym })
        .where('contact_id', '=', contactId)
        .executeTakeFirst(),
    );
    await trx
      .insertInto('newsletter_consent_ledger')
      .values({
        id: newId(at),
        contact_id: pseudonym,
        channel: contact.channel,
        topic: '*',
        action: 'erased',
        text: null,
        source: options.source === 'chat' ? 'interceptor' : options.source,
        created_at: at,
      })
      .execute();
    counts.subscriptions = changed(
      await trx.deleteFrom('newsletter_subscriptions').where('contact_id', '=', contactId).executeTakeFirst(),
    );

    // The transcript and the raw inbound events: texts and payloads go, the rows stay for the counts.
    counts.messages = changed(
      await trx
        .updateTable('messages')
        .set({ text: null, details: null })
        .where('contact_id', '=', contactId)
        .executeTakeFirst(),
    );
    // The platform's event ids (WhatsApp's wamid encodes the phone number) become keyed hashes.
    const events = await trx
      .selectFrom('inbound_events')
      .select(['id', 'native_id'])
      .where('contact_id', '=', contactId)
      .execute();
    for (const event of events) {
      await trx
        .updateTable('inbound_events')
        .set({
          message: ERASED_JSON,
          error: null,
          native_id: `${ERASED_PREFIX}${keyedHash(options.key, String(event.native_id))}`,
        })
        .where('id', '=', event.id)
        .execute();
    }
    counts.inbound_events = events.length;
    counts.outbox = changed(
      await trx
        .updateTable('outbox')
        .set({ message: ERASED_JSON, last_error: null, native_message_id: null })
        .where('contact_id', '=', contactId)
        .executeTakeFirst(),
    );
    await trx
      .updateTable('outbox')
      .set({ status: 'cancelled', last_error: 'contact erased' })
      .where('contact_id', '=', contactId)
      .where('status', 'in', ['queued', 'held'])
      .execute();
    counts.conversations = changed(
      await trx
        .updateTable('conversations')
        .set({
          state: JSON.stringify(EMPTY_CONVERSATION_STATE),
          status: 'closed',
          assigned_agent_id: null,
          updated_at: at,
        })
        .where('contact_id', '=', contactId)
        .executeTakeFirst(),
    );

    // Feature tables.
    counts.unanswered_questions = changed(
      await trx.deleteFrom('faq_unanswered').where('contact_id', '=', contactId).executeTakeFirst(),
    );
    counts.leads = changed(
      await trx.deleteFrom('crm_deliveries').where('contact_id', '=', contactId).executeTakeFirst(),
    );
    counts.referral_codes = 0;
    const codes = await trx
      .selectFrom('referral_codes')
      .select('id')
      .where('contact_id', '=', contactId)
      .execute();
    for (const code of codes) {
      // The personal link stops working; the row stays so the campaign's figures do not shrink.
      await trx
        .updateTable('referral_codes')
        .set({ code: `X${randomBytes(10).toString('hex').toUpperCase()}` })
        .where('id', '=', code.id)
        .execute();
      counts.referral_codes += 1;
    }
    counts.referral_clicks = changed(
      await trx
        .updateTable('referral_clicks')
        .set({ referer: null })
        .where('referrer_contact_id', '=', contactId)
        .executeTakeFirst(),
    );
    counts.conversions = changed(
      await trx
        .updateTable('referral_conversions')
        .set({ contact_id: null })
        .where('contact_id', '=', contactId)
        .executeTakeFirst(),
    );
    counts.reminders_cancelled = changed(
      await trx
        .updateTable('event_reminders')
        .set({ status: 'cancelled', reason: 'contact erased', updated_at: at })
        .where('contact_id', '=', contactId)
        .where('status', '=', 'pending')
        .executeTakeFirst(),
    );
    // Ratings stay for the figures; the comment is the person's own words.
    counts.csat_comments = changed(
      await trx
        .updateTable('csat_surveys')
        .set({ comment: null, comment_until: null, expires_at: at })
        .where('contact_id', '=', contactId)
        .executeTakeFirst(),
    );
    // Photos and files the person sent or was sent in the inbox.
    const conversation = await trx
      .selectFrom('conversations')
      .select('id')
      .where('contact_id', '=', contactId)
      .executeTakeFirst();
    if (conversation) {
      counts.media_files = changed(
        await trx.deleteFrom('media_files').where('conversation_id', '=', conversation.id).executeTakeFirst(),
      );
    }
    // Dead letters name no contact; a raw payload that carries the person's channel id is theirs.
    if (String(contact.channel_contact_id).length >= 5) {
      counts.dead_letters = changed(
        await trx
          .deleteFrom('inbound_dead_letters')
          .where('channel', '=', contact.channel)
          .where('payload', 'like', `%${String(contact.channel_contact_id).replace(/[%_]/g, '')}%`)
          .executeTakeFirst(),
      );
    }
    if (contact.channel === 'webchat') {
      counts.webchat_events = changed(
        await trx
          .deleteFrom('webchat_events')
          .where('session_id', '=', contact.channel_contact_id)
          .executeTakeFirst(),
      );
    }

    // Last the contact itself: an anonymous tombstone that keeps the id the aggregates refer to.
    await trx
      .updateTable('contacts')
      .set({
        channel_contact_id: pseudonym,
        display_name: null,
        agent_name: null,
        first_name: null,
        last_name: null,
        username: null,
        phone: null,
        tags: '[]',
        attributes: '{}',
        reply_address: null,
        erased_at: at,
      })
      .where('id', '=', contactId)
      .execute();
    return { contactId, pseudonym, alreadyErased: false, counts };
  });
  // secure_delete zeroed the values in the pages; the WAL still holds the pages as first written.
  if (!result.alreadyErased) await checkpointWal(store);
  return result;
}
