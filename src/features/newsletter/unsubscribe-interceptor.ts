/**
 * One-word unsubscribe: a message that is only STOP, ABMELDEN, UNSUBSCRIBE, … (per-locale lists in
 * topics.yaml) ends every subscription, whatever the conversation is doing, even while an agent owns it.
 * It answers with exactly one message and cancels the contact's queued newsletter and notice rows in the
 * same transaction as the ledger entries.
 */
import type { InboundInterceptor, TurnInput, TurnOutput } from '../../engine/types.js';
import type { Logger } from '../../logger.js';
import { withdrawConsent } from './consent-ledger.js';
import { fillPlaceholders } from './localized.js';
import type { NewsletterDb } from './tables.js';
import type { TopicCatalog } from './topics.js';

export function createUnsubscribeInterceptor(
  db: NewsletterDb,
  catalog: () => TopicCatalog,
  logger: Logger,
): InboundInterceptor {
  return {
    name: 'newsletter.unsubscribe-word',
    async intercept(input: TurnInput): Promise<TurnOutput | null> {
      if (input.event.kind !== 'message') return null;
      const text = input.event.text ?? '';
      const topics = catalog();
      if (!topics.isUnsubscribeMessage(text)) return null;
      const locale = input.contact.locale;
      let reply = topics.text('not_subscribed', locale);
      const result = await withdrawConsent(
        db,
        { contactId: input.contact.id, channel: input.channel, source: 'interceptor', now: input.now },
        null,
        (names) => {
          if (names.length === 0) return null;
          reply = fillPlaceholders(topics.text('unsubscribed_all', locale), {
            topics: names.map((t) => topics.name(t, locale)).join(', '),
          });
          return reply;
        },
      );
      logger.info(
        {
          contactId: input.contact.id,
          conversationId: input.conversationId,
          channel: input.channel,
          topics: result.unsubscribed,
          cancelledOutboxRows: result.cancelledOutboxRows,
        },
        'unsubscribe word received',
      );
      return {
        // The conversation stays where it was; only consent changed.
        state: input.state,
        messages: [{ text: reply }],
        effects: [],
        trace: ['interceptor:newsletter.unsubscribe-word'],
      };
    },
  };
}
