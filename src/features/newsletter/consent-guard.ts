/**
 * The send guard behind "no proactive message without recorded, confirmed consent": checked by the outbox
 * right before each send, whatever flow or API queued the row.
 * - a row with a topic needs an active (confirmed, not withdrawn) subscription to it at send time;
 * - a `broadcast` or `notice` without a topic is refused outright;
 * - a row of a cancelled broadcast is refused even if it slipped past the cancel (already claimed).
 * Reminders (purpose `reminder`) were asked for by the person and need no topic.
 */
import type { SendGuard } from '../../outbox/types.js';
import { subscriptionStatus } from './consent-ledger.js';
import type { NewsletterDb } from './tables.js';

export function createConsentGuard(db: NewsletterDb): SendGuard {
  return {
    name: 'newsletter.consent',
    async check(row, { contact }) {
      if (row.topic) {
        const status = await subscriptionStatus(db, contact.id, row.topic);
        if (status !== 'active')
          return { action: 'cancel', reason: `no confirmed consent for topic ${row.topic}` };
      } else if (row.purpose === 'broadcast' || row.purpose === 'notice') {
        return { action: 'cancel', reason: 'proactive message without a topic' };
      }
      if (row.purpose === 'broadcast' && row.sourceId) {
        const broadcast = await db
          .selectFrom('newsletter_broadcasts')
          .select('status')
          .where('id', '=', row.sourceId)
          .executeTakeFirst();
        if (broadcast?.status === 'cancelled')
          return { action: 'cancel', reason: `broadcast ${row.sourceId} was cancelled` };
      }
      return { action: 'send' };
    },
  };
}
