/** A contact's current state per newsletter topic (active, pending, declined, unsubscribed), for the CRM and the console. */
import type { Store } from '../../store/database.js';
import type { NewsletterTables } from './tables.js';

export async function consentStatesOf(store: Store, contactId: string): Promise<Record<string, string>> {
  const rows = await store.db
    .withTables<NewsletterTables>()
    .selectFrom('newsletter_subscriptions')
    .select(['topic', 'status'])
    .where('contact_id', '=', contactId)
    .execute();
  return Object.fromEntries(rows.map((row) => [row.topic, row.status]));
}
