/**
 * Consent as evidence: every step (requested, confirmed, declined, unsubscribed) is appended to the ledger
 * with the exact text shown, and the current subscription is derived in the same transaction. Nothing here
 * updates or deletes a ledger row; the database refuses it too (trigger from migration 0400).
 */
import type { Kysely } from 'kysely';
import { newId } from '../../store/ids.js';
import type { CoreTables } from '../../store/schema.js';
import type { ConsentAction, NewsletterDb, NewsletterTables, SubscriptionStatus } from './tables.js';

/** A confirmation must follow its request within this time; an old request proves nothing about today's wish. */
export const CONFIRMATION_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Where a consent step came from: a flow step, the REST API, an interceptor or an agent in the console. */
export type ConsentSource = `flow:${string}` | 'api' | 'interceptor' | 'console';

export interface ConsentSubject {
  contactId: string;
  channel: string;
  source: ConsentSource;
  now: Date;
}

export function withNewsletterTables(db: Kysely<CoreTables>): NewsletterDb {
  return db.withTables<NewsletterTables>();
}

async function appendLedgerEntry(
  db: NewsletterDb,
  subject: ConsentSubject,
  topic: string,
  action: ConsentAction,
  text: string | null,
): Promise<void> {
  const at = subject.now.getTime();
  await db
    .insertInto('newsletter_consent_ledger')
    .values({
      id: newId(at),
      contact_id: subject.contactId,
      channel: subject.channel,
      topic,
      action,
      text,
      source: subject.source,
      created_at: at,
    })
    .execute();
}

async function writeSubscription(
  db: NewsletterDb,
  subject: ConsentSubject,
  topic: string,
  status: SubscriptionStatus,
): Promise<void> {
  const at = subject.now.getTime();
  const times = {
    requested_at: status === 'pending' ? at : undefined,
    confirmed_at: status === 'active' ? at : undefined,
    ended_at: status === 'declined' || status === 'unsubscribed' ? at : null,
  };
  await db
    .insertInto('newsletter_subscriptions')
    .values({
      contact_id: subject.contactId,
      topic,
      channel: subject.channel,
      status,
      requested_at: times.requested_at ?? null,
      confirmed_at: times.confirmed_at ?? null,
      ended_at: times.ended_at,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.columns(['contact_id', 'topic']).doUpdateSet({
        status,
        channel: subject.channel,
        updated_at: at,
        ended_at: times.ended_at,
        ...(times.requested_at !== undefined ? { requested_at: times.requested_at } : {}),
        ...(times.confirmed_at !== undefined ? { confirmed_at: times.confirmed_at } : {}),
      }),
    )
    .execute();
}

async function latestEntry(db: NewsletterDb, contactId: string, topic: string) {
  return db
    .selectFrom('newsletter_consent_ledger')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('topic', '=', topic)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function subscriptionStatus(
  db: NewsletterDb,
  contactId: string,
  topic: string,
): Promise<SubscriptionStatus | null> {
  const row = await db
    .selectFrom('newsletter_subscriptions')
    .select('status')
    .where('contact_id', '=', contactId)
    .where('topic', '=', topic)
    .executeTakeFirst();
  return (row?.status as SubscriptionStatus | undefined) ?? null;
}

/** Topics the contact holds a confirmed, not withdrawn subscription to. */
export async function activeTopics(db: NewsletterDb, contactId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('newsletter_subscriptions')
    .select('topic')
    .where('contact_id', '=', contactId)
    .where('status', '=', 'active')
    .orderBy('topic')
    .execute();
  return rows.map((r) => r.topic);
}

/** Records that `text` was shown asking for consent. `already` when the subscription is active. */
export async function requestConsent(
  db: NewsletterDb,
  subject: ConsentSubject,
  topic: string,
  text: string,
): Promise<'pending' | 'already'> {
  return db.transaction().execute(async (trx) => {
    if ((await subscriptionStatus(trx, subject.contactId, topic)) === 'active') return 'already';
    await appendLedgerEntry(trx, subject, topic, 'requested', text);
    await writeSubscription(trx, subject, topic, 'pending');
    return 'pending';
  });
}

/**
 * Confirms a request made at most seven days ago (the latest ledger entry must be that request); the
 * confirmation records the very text that was shown at the request.
 */
export async function confirmConsent(
  db: NewsletterDb,
  subject: ConsentSubject,
  topic: string,
): Promise<'confirmed' | 'not_pending'> {
  return db.transaction().execute(async (trx) => {
    const latest = await latestEntry(trx, subject.contactId, topic);
    if (latest?.action !== 'requested') return 'not_pending';
    if (subject.now.getTime() - latest.created_at > CONFIRMATION_WINDOW_MS) return 'not_pending';
    await appendLedgerEntry(trx, subject, topic, 'confirmed', latest.text);
    await writeSubscription(trx, subject, topic, 'active');
    return 'confirmed';
  });
}

/** Records a "no" to an open request; without an open request there is nothing to record. */
export async function declineConsent(
  db: NewsletterDb,
  subject: ConsentSubject,
  topic: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const latest = await latestEntry(trx, subject.contactId, topic);
    if (latest?.action !== 'requested') return false;
    await appendLedgerEntry(trx, subject, topic, 'declined', null);
    await writeSubscription(trx, subject, topic, 'declined');
    return true;
  });
}

export interface UnsubscribeResult {
  /** Topics that were active and are now withdrawn (ledger `unsubscribed`). */
  unsubscribed: string[];
  /** Open requests that were closed (ledger `declined`), so a later "yes" cannot confirm them. */
  closedRequests: string[];
  /** Queued outbox rows cancelled because they relied on this consent. */
  cancelledOutboxRows: number;
}

/**
 * Withdraws consent for one topic or all, and in the same transaction cancels the contact's queued rows
 * that relied on it, so the withdrawal takes effect before the next queued send.
 */
export async function withdrawConsent(
  db: NewsletterDb,
  subject: ConsentSubject,
  topic: string | null,
  unsubscribedText: (topics: string[]) => string | null = () => null,
): Promise<UnsubscribeResult> {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('newsletter_subscriptions')
      .select(['topic', 'status'])
      .where('contact_id', '=', subject.contactId)
      .where('status', 'in', ['active', 'pending']);
    if (topic !== null) query = query.where('topic', '=', topic);
    const open = await query.orderBy('topic').execute();
    const unsubscribed = open.filter((s) => s.status === 'active').map((s) => s.topic);
    const closedRequests = open.filter((s) => s.status === 'pending').map((s) => s.topic);
    const shown = unsubscribedText(unsubscribed);
    for (const t of unsubscribed) {
      await appendLedgerEntry(trx, subject, t, 'unsubscribed', shown);
      await writeSubscription(trx, subject, t, 'unsubscribed');
    }
    for (const t of closedRequests) {
      await appendLedgerEntry(trx, subject, t, 'declined', null);
      await writeSubscription(trx, subject, t, 'declined');
    }
    const reason =
      topic === null ? 'consent withdrawn for all topics' : `consent withdrawn for topic ${topic}`;
    const cancelled = await trx
      .updateTable('outbox')
      .set({ status: 'cancelled', last_error: reason })
      .where('contact_id', '=', subject.contactId)
      .where('status', 'in', ['queued', 'held'])
      .where((eb) =>
        topic === null
          ? eb.or([eb('topic', 'is not', null), eb('purpose', 'in', ['broadcast', 'notice'])])
          : eb('topic', '=', topic),
      )
      .executeTakeFirst();
    return { unsubscribed, closedRequests, cancelledOutboxRows: Number(cancelled.numUpdatedRows) };
  });
}

export interface LedgerEntryView {
  id: string;
  contactId: string;
  channel: string;
  topic: string;
  action: ConsentAction;
  text: string | null;
  source: string;
  at: string;
}

/** The contact's whole consent history, oldest first (for export and audits). */
export async function consentHistory(db: NewsletterDb, contactId: string): Promise<LedgerEntryView[]> {
  const rows = await db
    .selectFrom('newsletter_consent_ledger')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    contactId: r.contact_id,
    channel: r.channel,
    topic: r.topic,
    action: r.action as ConsentAction,
    text: r.text,
    source: r.source,
    at: new Date(r.created_at).toISOString(),
  }));
}
