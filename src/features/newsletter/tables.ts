/** Table types of the newsletter feature (created by migration 0400-newsletter). */
import type { Kysely } from 'kysely';
import type { CoreTables } from '../../store/schema.js';

export type ConsentAction = 'requested' | 'confirmed' | 'declined' | 'unsubscribed';

/** Append-only evidence of every consent step; never updated or deleted (a trigger refuses it). */
export type ConsentLedgerTable = {
  id: string;
  contact_id: string;
  channel: string;
  topic: string;
  /** requested | confirmed | declined | unsubscribed */
  action: string;
  /** The exact text the person saw (consent question, confirmation); null where nothing was shown. */
  text: string | null;
  /** `flow:<flow>.<step>`, `api`, `interceptor` or `console`. */
  source: string;
  created_at: number;
};

export type SubscriptionStatus = 'pending' | 'active' | 'declined' | 'unsubscribed';

/** The current state per (contact, topic), derived from the ledger in the same transaction. */
export type SubscriptionsTable = {
  contact_id: string;
  topic: string;
  channel: string;
  /** pending | active | declined | unsubscribed */
  status: string;
  requested_at: number | null;
  confirmed_at: number | null;
  ended_at: number | null;
  updated_at: number;
};

export type BroadcastStatus = 'draft' | 'scheduled' | 'running' | 'sent' | 'cancelled';

export type BroadcastsTable = {
  id: string;
  name: string;
  topic: string;
  /** draft | scheduled | running | sent | cancelled */
  status: string;
  /** JSON BroadcastContent. */
  content: string;
  /** JSON Segment. */
  segment: string;
  /** `api` or `event:<id>` (announcements). */
  source: string;
  scheduled_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  cancelled_at: number | null;
  /** Last contact id the fan-out handled; it resumes after it. */
  fanout_cursor: string | null;
  recipient_count: number;
  created_at: number;
  updated_at: number;
};

/** One row per person a broadcast was queued for; its primary key makes the fan-out exactly-once. */
export type BroadcastRecipientsTable = {
  broadcast_id: string;
  contact_id: string;
  created_at: number;
};

export type BroadcastClicksTable = {
  id: string;
  broadcast_id: string;
  contact_id: string;
  payload: string;
  created_at: number;
};

export type NewsletterTables = {
  newsletter_consent_ledger: ConsentLedgerTable;
  newsletter_subscriptions: SubscriptionsTable;
  newsletter_broadcasts: BroadcastsTable;
  newsletter_broadcast_recipients: BroadcastRecipientsTable;
  newsletter_broadcast_clicks: BroadcastClicksTable;
};

export type NewsletterDb = Kysely<CoreTables & NewsletterTables>;

/** The core view of a newsletter transaction, for `enqueueOutbound`. */
export function asCoreDb(db: NewsletterDb): Kysely<CoreTables> {
  return db as unknown as Kysely<CoreTables>;
}
