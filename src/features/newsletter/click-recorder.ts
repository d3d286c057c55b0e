/**
 * Counts broadcast button clicks: a pressed payload from someone who got a broadcast in the last 14 days
 * that carries a button with that payload. It only records; it returns null so the flows still run.
 */
import type { InboundInterceptor, TurnInput, TurnOutput } from '../../engine/types.js';
import type { Logger } from '../../logger.js';
import { newId } from '../../store/ids.js';
import { fromJson } from '../../store/json.js';
import { type BroadcastContent, buttonPayloads } from './broadcast-schema.js';
import type { NewsletterDb } from './tables.js';

export const CLICK_ATTRIBUTION_MS = 14 * 24 * 60 * 60 * 1000;

export function createClickRecorder(db: NewsletterDb, logger: Logger): InboundInterceptor {
  return {
    name: 'newsletter.broadcast-clicks',
    async intercept(input: TurnInput): Promise<TurnOutput | null> {
      if (input.event.kind !== 'message' || !input.event.buttonPayload) return null;
      const payload = input.event.buttonPayload;
      try {
        const received = await db
          .selectFrom('newsletter_broadcast_recipients as r')
          .innerJoin('newsletter_broadcasts as b', 'b.id', 'r.broadcast_id')
          .select(['b.id as id', 'b.content as content'])
          .where('r.contact_id', '=', input.contact.id)
          .where('r.created_at', '>=', input.now.getTime() - CLICK_ATTRIBUTION_MS)
          .orderBy('r.created_at', 'desc')
          .limit(20)
          .execute();
        const broadcast = received.find((b) =>
          buttonPayloads(fromJson<BroadcastContent>(b.content, { text: '' })).includes(payload),
        );
        if (broadcast) {
          await db
            .insertInto('newsletter_broadcast_clicks')
            .values({
              id: newId(input.now.getTime()),
              broadcast_id: broadcast.id,
              contact_id: input.contact.id,
              payload,
              created_at: input.now.getTime(),
            })
            .execute();
        }
      } catch (error) {
        // Statistics must never cost the customer their answer.
        logger.warn(
          { err: error, conversationId: input.conversationId },
          'recording a broadcast click failed',
        );
      }
      return null;
    },
  };
}
